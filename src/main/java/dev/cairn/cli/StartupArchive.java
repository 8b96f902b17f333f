package dev.cairn.cli;

import dev.cairn.store.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Makes the class data sharing archive that the launcher gives every start of the jar beside it
 * ({@code cairn-RELEASE.jsa} next to {@code cairn-RELEASE.jar}, {@code cairn.jsa} next to an
 * installed {@code cairn.jar}): the classes the commands typed most load, already parsed and
 * verified, which a start maps instead of reading them from the jars. The build runs it when it
 * packages the jar, and install.sh again for the installed copy, since an archive names the jars
 * it was made from by their paths.
 *
 * <p>{@code java -cp JAR dev.cairn.cli.StartupArchive ARCHIVE} runs the training below in a JVM of
 * its own under {@code -XX:ArchiveClassesAtExit}, then moves the archive into place whole: a JVM
 * rejects an archive made for other jars or another JDK and starts without it, but one cut short
 * can crash it. The training needs no database: it runs {@code cairn --version} and {@code cairn
 * migrate --info} against a port where nothing listens (the configuration, the connecting path, the
 * driver and the pool load all the same), then reads and writes JSON as a dataset's record does.
 */
final class StartupArchive {

    private static final String TRAIN = "--train";

    private StartupArchive() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 2 && args[0].equals(TRAIN)) {
            train(args[1]);
            System.exit(ExitCodes.OK);
        }
        if (args.length != 1) {
            System.err.println("usage: java -cp cairn.jar dev.cairn.cli.StartupArchive ARCHIVE");
            System.exit(ExitCodes.USAGE);
        }
        System.exit(make(Path.of(args[0]).toAbsolutePath()));
    }

    private static int make(Path archive) throws IOException, InterruptedException {
        // The launcher starts the jar by its real path, and an archive only serves the paths it was made with.
        String jar = Path.of(System.getProperty("java.class.path")).toRealPath().toString();
        Path partial = archive.resolveSibling(archive.getFileName() + ".part");
        Path home = archive.resolveSibling(archive.getFileName() + ".home"); // never created: nothing is written there
        Files.deleteIfExists(partial);
        Process training = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + partial, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xlog:cds*=off", "-cp", jar, StartupArchive.class.getName(), TRAIN, home.toString()))
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

    private static void train(String home) {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        Map<String, String> environment = Map.of("CAIRN_HOME", home,
                "CAIRN_DATABASE_URI", "postgresql://cairn@127.0.0.1:1/cairn", "CAIRN_CONNECT_TIMEOUT", "1");
        Main.execute(new String[]{"--version"}, environment, none, none);
        Main.execute(new String[]{"migrate", "--info"}, environment, none, none);
        Json.write(Json.read("{\"label\": \"cat\", \"confidence\": 0.93, \"tags\": [\"train\"], \"n\": 1}"));
    }
}
