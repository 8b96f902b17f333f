package dev.cairn.localserver;

import dev.cairn.api.CairnException;
import dev.cairn.api.ConfigurationException;
import dev.cairn.api.DatabaseUnavailableException;
import dev.cairn.api.Feedback;
import dev.cairn.api.LocalServerStatus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local PostgreSQL server that Cairn runs itself, with its data under {@code CAIRN_HOME}.
 *
 * <p>The server outlives the command that started it, so that later commands (and other
 * processes on this machine) connect at once: the first client starts it, the others find it
 * running. Starting is done under a file lock, so two processes starting at once neither fail nor
 * start two servers. {@code cairn db stop} stops it.
 *
 * <p>Unlike a test database, it keeps PostgreSQL's durable defaults ({@code fsync},
 * {@code synchronous_commit}), listens on the loopback address only, and requires a password
 * that only this user can read. PostgreSQL refuses to run as root; as root, its programs run in
 * a user namespace of their own ({@code unshare -U}), where they are not root.
 */
public final class EmbeddedServer {

    /** The PostgreSQL role Cairn creates and uses on its local server. */
    public static final String SUPERUSER = "cairn";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** How long the processes a killed postmaster left behind may take to notice and exit. */
    private static final Duration LEFTOVERS_TIMEOUT = Duration.ofSeconds(30);

    private final Path serverDir;
    private final Path dataDir;
    private final Path binariesParent;

    private EmbeddedServer(Path home, Path binariesParent) {
        this.serverDir = home.resolve("server");
        this.dataDir = serverDir.resolve("data");
        this.binariesParent = binariesParent;
    }

    /** The server whose data lives under {@code home}, with binaries unpacked under {@code binaries}. */
    public static EmbeddedServer at(Path home, Path binaries) {
        return new EmbeddedServer(home, binaries);
    }

    /** How to reach a running server. */
    public record Endpoint(String host, int port, String user, String password) {

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        @Override
        public String toString() {
            return user + "@" + host + ":" + port;
        }
    }

    public Path dataDirectory() {
        return dataDir;
    }

    public Path log() {
        return serverDir.resolve("server.log");
    }

    /** The server's state, read without waiting for any lock. */
    public LocalServerStatus status() {
        boolean initialised = Files.exists(dataDir.resolve("PG_VERSION"));
        Optional<PidFile> pid = PidFile.read(dataDir);
        boolean alive = pid.isPresent() && pid.get().alive();
        LocalServerStatus.State state = !initialised ? LocalServerStatus.State.NONE
                : alive && pid.get().ready() ? LocalServerStatus.State.RUNNING
                : alive ? LocalServerStatus.State.STARTING
                : pid.isPresent() ? LocalServerStatus.State.STOPPED_ABRUPTLY
                : LocalServerStatus.State.STOPPED;
        String version = null;
        if (initialised) {
            try {
                version = Files.readString(dataDir.resolve("PG_VERSION")).strip();
            } catch (IOException e) {
                version = "unknown";
            }
        }
        boolean known = state == LocalServerStatus.State.RUNNING || state == LocalServerStatus.State.STARTING || state == LocalServerStatus.State.STOPPED_ABRUPTLY;
        return new LocalServerStatus(initialised, state, known ? pid.get().pid() : null, alive ? pid.get().port() : null,
                alive ? pid.get().startedAt() : null, dataDir, log(), version);
    }

    /** The endpoint of the running server, read from its files, if it runs; no lock, no process. */
    public Optional<Endpoint> runningEndpoint() {
        Optional<PidFile> pid = PidFile.read(dataDir);
        if (pid.isEmpty() || !pid.get().ready() || !pid.get().alive()) {
            return Optional.empty();
        }
        return readPassword().map(pw -> new Endpoint("127.0.0.1", pid.get().port(), SUPERUSER, pw));
    }

    /**
     * Starts the server unless it runs already, creating its data folder on first use, and
     * returns how to reach it.
     *
     * @param port the TCP port for a server this call starts; 0 picks a free one
     */
    public Endpoint start(int port, Feedback feedback) {
        try {
            return FileLocks.withLock(serverDir.resolve("server.lock"),
                    () -> feedback.notice("waiting for another Cairn process that is starting the local database"),
                    () -> startLocked(port, feedback));
        } catch (java.nio.file.FileSystemException e) {
            throw new ConfigurationException("cannot start the local database in " + serverDir + ": " + explain(e)
                    + "; point CAIRN_HOME at a folder you can write to (Cairn creates it if it is missing)", e);
        } catch (IOException e) {
            throw new DatabaseUnavailableException("cannot start the local database in " + serverDir + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseUnavailableException("interrupted while starting the local database", e);
        }
    }

    private Endpoint startLocked(int port, Feedback feedback) throws IOException, InterruptedException {
        Path binaries = PostgresBinaries.ensure(binariesParent,
                () -> feedback.notice("waiting for another Cairn process that is unpacking PostgreSQL"));
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            initialise(binaries, feedback);
        }
        Optional<Endpoint> running = runningEndpoint().or(() -> awaitStarting(feedback));
        if (running.isPresent()) {
            return running.get();
        }
        clearAfterAbruptStop(feedback);
        String password = readPassword().orElseThrow(() -> new ConfigurationException("the local database in "
                + dataDir + " has no password file (" + serverDir.resolve("password") + "); it was damaged."
                + " Move " + serverDir + " aside to start afresh"));
        CairnException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int chosen = port != 0 ? port : freePort();
            List<String> command = List.of(binaries.resolve("bin/pg_ctl").toString(), "start", "-w",
                    "-t", Long.toString(START_TIMEOUT.toSeconds()), "-D", dataDir.toString(), "-l", log().toString(),
                    "-o", "-p " + chosen);
            Result r = run(command, serverDir.resolve("pg_ctl.out"));
            Optional<PidFile> pid = PidFile.read(dataDir);
            if (r.exit() == 0 && pid.isPresent() && pid.get().ready()) {
                return new Endpoint("127.0.0.1", pid.get().port(), SUPERUSER, password);
            }
            last = new DatabaseUnavailableException("the local database did not start (pg_ctl exited with " + r.exit()
                    + "): " + lastLines(r.output(), 5) + lastLines(logTail(), 5) + "; its log is " + log());
            if (port != 0 || portFree(chosen)) {
                break;
            }
        }
        throw last;
    }

    /**
     * A server whose postmaster lives but is not ready yet (recovering after a crash, or started
     * by a process that died before it was ready): waits until it is ready rather than start a
     * second one, which its lock file would refuse. Empty if there is none, or it gave up.
     */
    private Optional<Endpoint> awaitStarting(Feedback feedback) {
        Optional<PidFile> pid = PidFile.read(dataDir);
        if (pid.isEmpty() || pid.get().ready() || !pid.get().alive()) {
            return Optional.empty();
        }
        feedback.notice("waiting for the local database to finish starting (after a crash it recovers first)");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Endpoint> ready = runningEndpoint();
            if (ready.isPresent()) {
                return ready;
            }
            Optional<PidFile> now = PidFile.read(dataDir);
            if (now.isEmpty() || !now.get().alive()) {
                return Optional.empty();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabaseUnavailableException("interrupted while waiting for the local database to start", e);
            }
        }
        return Optional.empty();
    }

    /**
     * The remains of a postmaster that was killed or crashed block a new one: its pid file names
     * a process that PostgreSQL's own check ({@code kill(pid, 0)}) takes for alive while it is a
     * zombie nobody has reaped yet, or whose pid another process now has; and the backends it left
     * behind stay attached to its shared memory until they notice it died. Waits for those to
     * exit, then removes the pid file, which is what PostgreSQL does itself when it can tell that
     * the old server is gone and nothing uses its shared memory. Without a way to tell (no
     * {@code /proc/sysvipc}), it leaves the file to PostgreSQL's check.
     */
    private void clearAfterAbruptStop(Feedback feedback) throws InterruptedException, IOException {
        Optional<PidFile> left = PidFile.read(dataDir);
        if (left.isEmpty() || left.get().alive() || left.get().sharedMemoryId().isEmpty()) {
            return;
        }
        long segment = left.get().sharedMemoryId().getAsLong();
        long deadline = System.nanoTime() + LEFTOVERS_TIMEOUT.toNanos();
        boolean told = false;
        long attached;
        while ((attached = Posix.sharedMemoryAttachments(segment)) > 0 && System.nanoTime() < deadline) {
            if (!told) {
                feedback.notice("waiting for the processes of the local database that stopped abruptly (pid "
                        + left.get().pid() + ") to exit");
                told = true;
            }
            Thread.sleep(50);
        }
        if (attached > 0) {
            throw new DatabaseUnavailableException("the local database stopped abruptly (pid " + left.get().pid()
                    + " is gone), and " + attached + " of its processes still use its shared memory after "
                    + LEFTOVERS_TIMEOUT.toSeconds() + " s, so it cannot start again safely; stop them (they show as"
                    + " 'postgres: ...' in ps) and run the command again");
        }
        if (attached == 0) {
            Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        }
    }

    private void initialise(Path binaries, Feedback feedback) throws IOException, InterruptedException {
        feedback.notice("creating the local database in " + dataDir);
        Files.createDirectories(serverDir);
        try (Stream<Path> old = Files.list(serverDir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("data.init-")).toList()) {
                PostgresBinaries.deleteTree(p);
            }
        }
        Path passwordFile = serverDir.resolve("password");
        writePrivately(passwordFile, newPassword());
        Path scratch = serverDir.resolve("data.init-" + UUID.randomUUID());
        // One SCRAM iteration, not 4096: iterations slow down guessing a person's password from its
        // stored verifier, and this password is 192 random bits kept beside the data (whoever can
        // read the verifier can read the password file). 4096 of them cost every command's login
        // a few tens of milliseconds of a cold JVM's hashing.
        List<String> command = List.of(binaries.resolve("bin/initdb").toString(), "-D", scratch.toString(),
                "-U", SUPERUSER, "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-c", "scram_iterations=1",
                "-E", "UTF8", "--no-locale");
        Result r = run(command, serverDir.resolve("initdb.out"));
        if (r.exit() != 0) {
            PostgresBinaries.deleteTree(scratch);
            throw new DatabaseUnavailableException("cannot create the local database (initdb exited with " + r.exit()
                    + "): " + lastLines(r.output(), 8));
        }
        Files.writeString(scratch.resolve("postgresql.conf"), String.join("\n",
                "",
                "# Set by Cairn. PostgreSQL's durable defaults (fsync, synchronous_commit, full_page_writes) stay on.",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "max_connections = 300",
                "timezone = 'UTC'",
                ""), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Files.move(scratch, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Stops the server if it runs, waiting for it to finish cleanly.
     *
     * @return whether it was running
     */
    public boolean stop() {
        return stop(false);
    }

    /**
     * Stops the server: cleanly, or with {@code immediate} at once, as a crash would (PostgreSQL
     * recovers from its log at the next start; committed work is kept, the rest rolled back).
     *
     * @return whether it was running
     */
    public boolean stop(boolean immediate) {
        try {
            return FileLocks.withLock(serverDir.resolve("server.lock"), () -> { }, () -> {
                if (PidFile.read(dataDir).filter(PidFile::alive).isEmpty()) {
                    return false;
                }
                Path binaries = PostgresBinaries.ensure(binariesParent, () -> { });
                Result r = run(List.of(binaries.resolve("bin/pg_ctl").toString(), "stop", "-w", "-t", "120",
                        "-m", immediate ? "immediate" : "fast", "-D", dataDir.toString()), serverDir.resolve("pg_ctl.out"));
                if (r.exit() != 0 && PidFile.read(dataDir).filter(PidFile::alive).isPresent()) {
                    throw new CairnException("the local database did not stop: " + lastLines(r.output(), 5), null);
                }
                return true;
            });
        } catch (IOException e) {
            throw new CairnException("cannot stop the local database: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CairnException("interrupted while stopping the local database", e);
        }
    }

    /** What went wrong with which file, in words: the JDK's message of some is the path alone. */
    private static String explain(java.nio.file.FileSystemException e) {
        String reason = e.getReason() != null ? e.getReason()
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.NoSuchFileException ? "it does not exist and cannot be created"
                : e instanceof java.nio.file.NotDirectoryException ? "it is not a folder"
                : e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way"
                : "it cannot be used";
        return (e.getFile() != null ? e.getFile() + ": " : "") + reason.toLowerCase(java.util.Locale.ROOT);
    }

    private Optional<String> readPassword() {
        try {
            return Optional.of(Files.readString(serverDir.resolve("password")).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + serverDir.resolve("password") + ": " + e.getMessage());
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void writePrivately(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, text + "\n");
    }

    private record Result(int exit, String output) {
    }

    /** Runs a PostgreSQL program, as a non-root user in a namespace of its own when this is root. */
    private static Result run(List<String> command, Path output) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (Posix.isRoot()) {
            full.add("unshare");
            full.add("-U");
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new DatabaseUnavailableException("cannot run " + full.get(0) + (Posix.isRoot()
                    ? " (as root, Cairn runs PostgreSQL through 'unshare -U', from util-linux)" : "") + ": " + e.getMessage(), e);
        }
        if (!p.waitFor(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new DatabaseUnavailableException(String.join(" ", command) + " did not finish within "
                    + (START_TIMEOUT.toSeconds() + 30) + " s");
        }
        String text = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        return new Result(p.exitValue(), text);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.strip().split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                out.append(out.length() == 0 ? "" : " | ").append(lines[i].strip());
            }
        }
        return out.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean portFree(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
