package dev.cairn.cli;

import dev.cairn.NativeJson;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the class data sharing archive that the launcher gives every start of the jar beside it
 * ({@code cairn-RELEASE.jsa} next to {@code target/cairn-RELEASE.jar}, {@code cairn.jsa} next to
 * an installed {@code cairn.jar}): the classes a command loads, already parsed and verified, which
 * a start maps instead of reading them from the jars. The build makes it when it packages the jar,
 * and install.sh again for the installed copy, since an archive serves only the jar paths it was
 * made with.
 *
 * <p>{@code java -cp JAR dev.cairn.cli.StartupArchive ARCHIVE} runs the training below in a JVM of
 * its own under {@code -XX:ArchiveClassesAtExit}, then moves the archive into place whole: a JVM
 * starts without an archive made for other jars or another JDK, but one cut short can crash it.
 * The training needs no database. It runs {@code cairn --version}, {@code cairn db status} and
 * {@code cairn migrate --info} against a port where nothing listens, loads (without initialising)
 * every class of the jars a command connects, queries and prints with, and computes what a
 * SCRAM login does. picocli's classes are too old a class file version to be archived.
 */
final class StartupArchive {

    private static final String TRAIN = "--train";

    /** The jars whose every class goes into the archive, by the start of their file names. */
    private static final List<String> ARCHIVED_JARS = List.of("cairn", "postgresql-", "HikariCP-", "jackson-core-",
            "jackson-databind-", "slf4j-");

    private StartupArchive() {
    }

    public static void main(String[] args) throws IOException, InterruptedException, GeneralSecurityException {
        if (args.length == 2 && args[0].equals(TRAIN)) {
            train(Path.of(args[1]));
            System.exit(ExitCodes.OK);
        }
        if (args.length != 1) {
            System.err.println("usage: java -cp cairn.jar dev.cairn.cli.StartupArchive ARCHIVE");
            System.exit(ExitCodes.USAGE);
        }
        System.exit(make(Path.of(args[0]).toAbsolutePath()));
    }

    private static int make(Path archive) throws IOException, InterruptedException {
        Path partial = archive.resolveSibling(archive.getFileName() + ".part");
        Path home = archive.resolveSibling(archive.getFileName() + ".home"); // read, never written
        Files.deleteIfExists(partial);
        Process training = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + partial, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xlog:cds*=off", "-cp", jar().toString(), StartupArchive.class.getName(), TRAIN, home.toString()))
                .inheritIO().start();
        if (!training.waitFor(2, TimeUnit.MINUTES)) {
            training.destroyForcibly();
        }
        int status = training.waitFor();
        if (status != ExitCodes.OK || !Files.isRegularFile(partial)) {
            System.err.println("cairn: no start-up archive made (the training exited with " + status
                    + "); cairn works without it, only starts slower");
            Files.deleteIfExists(partial);
            return ExitCodes.OK;
        }
        Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return ExitCodes.OK;
    }

    /** The jar, by the real path the launcher starts it with: an archive serves only the paths it was made with. */
    private static Path jar() throws IOException {
        return Path.of(System.getProperty("java.class.path")).toRealPath();
    }

    private static void train(Path home) throws IOException, GeneralSecurityException {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        Map<String, String> local = Map.of("CAIRN_HOME", home.toString());
        Map<String, String> unreachable = Map.of("CAIRN_HOME", home.toString(),
                "CAIRN_DATABASE_URI", "postgresql://cairn@127.0.0.1:1/cairn", "CAIRN_CONNECT_TIMEOUT", "1");
        Main.execute(new String[]{"--version"}, unreachable, none, none);
        Main.execute(new String[]{"db", "status"}, local, none, none);
        Main.execute(new String[]{"migrate", "--info"}, unreachable, none, none);
        NativeJson.write(NativeJson.read("{\"label\": \"cat\", \"confidence\": 0.93, \"tags\": [\"train\"], \"n\": 1}", "a sample"), false);
        loadArchivedJars();
        authenticate();
    }

    private static void loadArchivedJars() throws IOException {
        Path jar = jar();
        List<Path> jars = new ArrayList<>(List.of(jar));
        try (JarFile own = new JarFile(jar.toFile())) {
            String classPath = own.getManifest().getMainAttributes().getValue("Class-Path");
            for (String entry : classPath == null ? new String[0] : classPath.split(" +")) {
                jars.add(jar.resolveSibling(entry));
            }
        }
        ClassLoader loader = StartupArchive.class.getClassLoader();
        for (Path path : jars) {
            String name = path.getFileName().toString();
            if (ARCHIVED_JARS.stream().noneMatch(name::startsWith) || !Files.isRegularFile(path)) {
                continue;
            }
            try (JarFile file = new JarFile(path.toFile())) {
                for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                    String entry = e.nextElement().getName();
                    if (entry.endsWith(".class") && !entry.startsWith("META-INF/") && !entry.endsWith("module-info.class")) {
                        load(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'), loader);
                    }
                }
            }
        }
    }

    private static void load(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            // it needs an optional library that is not here, so no command uses it
        }
    }

    /** What a SCRAM-SHA-256 login computes, on made-up values: the JDK's providers and classes it loads. */
    private static void authenticate() throws GeneralSecurityException {
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec("password".toCharArray(), new byte[16], 16, 256)).getEncoded();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salted, "HmacSHA256"));
        MessageDigest.getInstance("SHA-256").digest(mac.doFinal(new byte[32]));
        new SecureRandom().nextBytes(new byte[18]);
        Normalizer.normalize("password", Normalizer.Form.NFKC);
    }
}
