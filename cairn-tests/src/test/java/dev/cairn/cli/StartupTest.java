package dev.cairn.cli;

import dev.cairn.testing.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quick start of the command: {@code cairn --version} touches no database, and the launcher
 * runs the same with its start-up archive, without it, and with one that is corrupt or was made
 * for another jar. The launcher and jar are laid out as install.sh installs them, in a folder of
 * the test's own: {@code cairn}, {@code cairn.jar} (the compiled classes, its libraries named in
 * its manifest) and the archive {@code cairn.jsa} that {@link StartupArchive} makes.
 */
class StartupTest {

    @TempDir
    static Path installed;

    private static Path archive;
    private static String version;

    @BeforeAll
    static void install() throws Exception {
        // The modules' classes: folders (target/classes) when Maven tests before packaging, jars after.
        List<String> entries = List.of(Processes.classPath().split(File.pathSeparator));
        List<Path> classes = entries.stream().map(Path::of).filter(Files::isDirectory)
                .filter(folder -> !folder.endsWith("test-classes")).toList();
        List<String> libraries = entries.stream().filter(entry -> entry.endsWith(".jar")).toList();
        jar(classes, libraries, installed.resolve("cairn.jar"));
        Files.copy(Path.of("cairn"), installed.resolve("cairn"));
        installed.resolve("cairn").toFile().setExecutable(true);
        archive = installed.resolve("cairn.jsa");
        Ran made = run(List.of(java(), "-cp", installed.resolve("cairn.jar").toString(),
                StartupArchive.class.getName(), archive.toString()), Map.of());
        assertThat(made.exit()).as(made.all()).isZero();
        version = new CairnCommand.Version().getVersion()[0] + "\n";
    }

    @Test
    void theArchiveIsMadeWholeAndTheLauncherStartsWithIt() throws Exception {
        assertThat(archive).isRegularFile();
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);
        try (Stream<Path> left = Files.list(installed)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("cairn", "cairn.jar", "cairn.jsa");
        }
        // -Xshare:on makes a JVM that cannot map the archive fail, rather than start without it
        Ran on = cairn(Map.of("CAIRN_JAVA_OPTS", "-Xshare:on"), "--version");
        assertThat(on.exit()).as(on.all()).isZero();
        assertThat(on.out()).isEqualTo(version);
        assertThat(on.err()).isEmpty();
    }

    @Test
    void theLauncherRunsTheSameWithoutTheArchiveAndWithACorruptOrStaleOne() throws Exception {
        Ran with = cairn(Map.of(), "--version");
        Ran unreachableWith = cairn(Map.of(), "migrate", "--info");
        assertThat(with.exit()).as(with.all()).isZero();
        assertThat(with.out()).isEqualTo(version);
        assertThat(with.err()).isEmpty();
        assertThat(unreachableWith.exit()).as(unreachableWith.all()).isEqualTo(ExitCodes.ENVIRONMENT);

        Path aside = installed.resolve("aside.jsa");
        Files.move(archive, aside);
        try {
            expectSame(with, unreachableWith, "without an archive");

            byte[] garbage = new byte[1 << 20];
            new Random(9).nextBytes(garbage);
            Files.write(archive, garbage);
            expectSame(with, unreachableWith, "with random bytes for an archive");

            Files.copy(aside, archive, StandardCopyOption.REPLACE_EXISTING);
            Path jar = installed.resolve("cairn.jar");
            FileTime built = Files.getLastModifiedTime(jar);
            Files.setLastModifiedTime(jar, FileTime.fromMillis(built.toMillis() + 60_000));
            try {
                expectSame(with, unreachableWith, "with an archive made for a jar since rebuilt");
            } finally {
                Files.setLastModifiedTime(jar, built);
            }
        } finally {
            Files.move(aside, archive, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void versionOpensNoDatabaseConnection() throws Exception {
        try (ServerSocket database = new ServerSocket(0)) {
            database.setSoTimeout(200);
            Path home = installed.resolve("no-home");
            Map<String, String> environment = Map.of("CAIRN_HOME", home.toString(),
                    "CAIRN_DATABASE_URI", "postgresql://cairn:secret@127.0.0.1:" + database.getLocalPort() + "/cairn");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.execute(new String[]{"--version"}, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            Ran launched = cairn(environment, "--version");

            assertThat(exit).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(version);
            assertThat(launched.exit()).as(launched.all()).isZero();
            assertThat(launched.out()).isEqualTo(version);
            boolean connected;
            try (var ignored = database.accept()) {
                connected = true;
            } catch (SocketTimeoutException e) {
                connected = false;
            }
            assertThat(connected).as("a connection to the database").isFalse();
            assertThat(home).doesNotExist();
        }
    }

    private static void expectSame(Ran version, Ran unreachable, String how) throws Exception {
        Ran v = cairn(Map.of(), "--version");
        assertThat(v.exit()).as(how + ": " + v.all()).isZero();
        assertThat(v.out()).as(how).isEqualTo(version.out());
        assertThat(v.err()).as(how).isEqualTo(version.err());
        Ran u = cairn(Map.of(), "migrate", "--info");
        assertThat(u.exit()).as(how + ": " + u.all()).isEqualTo(unreachable.exit());
        assertThat(u.out()).as(how).isEqualTo(unreachable.out());
        assertThat(u.err()).as(how).isEqualTo(unreachable.err());
    }

    @Test
    void aBuildTreeRunsItsNewestJarNotOneAnOlderReleaseLeft() throws Exception {
        Path tree = installed.resolve("checkout");
        Files.createDirectories(tree.resolve("cairn-cli/target"));
        Files.copy(Path.of("cairn"), tree.resolve("cairn"));
        tree.resolve("cairn").toFile().setExecutable(true);
        // what an older release's build left in target/: not even a jar, so running it fails
        Path old = Files.writeString(tree.resolve("cairn-cli/target/cairn-0.0.1.jar"), "an older release's leftovers");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        Files.copy(installed.resolve("cairn.jar"), tree.resolve("cairn-cli/target/cairn-9.9.9.jar"));
        Ran ran = run(List.of(tree.resolve("cairn").toString(), "--version"), Map.of("PATH",
                Path.of(java()).getParent() + File.pathSeparator + System.getenv("PATH")));
        assertThat(ran.exit()).as(ran.all()).isZero();
        assertThat(ran.out()).isEqualTo(version);
    }

    /** The installed launcher, against a port where nothing listens, with this JVM's java first on the path. */
    private static Ran cairn(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(installed.resolve("cairn").toString()));
        command.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(Map.of("CAIRN_HOME", installed.resolve("no-home").toString(),
                "CAIRN_DATABASE_URI", "postgresql://cairn@127.0.0.1:1/cairn", "CAIRN_CONNECT_TIMEOUT", "1",
                "PATH", Path.of(java()).getParent() + File.pathSeparator + System.getenv("PATH")));
        env.putAll(environment);
        return run(command, env);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Ran(int exit, String out, String err) {
        String all() {
            return "exit " + exit + ", out: " + out + ", err: " + err;
        }
    }

    private static Ran run(List<String> command, Map<String, String> environment) throws Exception {
        Path out = Files.createTempFile(installed, "out", ".txt");
        Path err = Files.createTempFile(installed, "err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_"));
            pb.environment().putAll(environment);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** A jar of the compiled classes that names its libraries in its manifest, as the build's does. */
    private static void jar(List<Path> folders, List<String> libraries, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        main.put(Attributes.Name.CLASS_PATH, libraries.stream().map(l -> Path.of(l).toAbsolutePath().toString())
                .collect(Collectors.joining(" ")));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Path classes : folders) {
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = classes.relativize(file).toString().replace(File.separatorChar, '/');
                        if (name.equals("module-info.class")) {
                            continue;
                        }
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
            }
        }
    }
}
