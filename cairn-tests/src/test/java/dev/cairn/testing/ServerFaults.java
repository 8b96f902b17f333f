package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.store.Postgres;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Crashes the PostgreSQL server under a test database, as a power cut or an OOM kill would
 * ({@code pg_ctl stop -m immediate}: every backend dies at once, nothing is flushed beyond what
 * was committed), and starts it again (it recovers from its write-ahead log).
 *
 * <p>On the embedded backend, that is Cairn's own server ({@code EmbeddedServer.stop(true)}, then
 * {@code start}); it comes back on a new port, as Cairn's next command would start it. On the
 * server backend, the test cannot reach the server's files, so it runs the shell commands that
 * whoever started the server exports: {@code CAIRN_TEST_SERVER_CRASH} (stop it with
 * {@code -m immediate}) and {@code CAIRN_TEST_SERVER_START} (start it again, on the same port);
 * {@code .ci/run} sets both.
 */
public final class ServerFaults {

    private static final long COMMAND_TIMEOUT_SECONDS = 180;

    private ServerFaults() {
    }

    /** Why the server under the backend cannot be crashed here, if it cannot. */
    public static Optional<String> unavailable() {
        if (!Backend.isServer()) {
            return Optional.empty();
        }
        if (blank(System.getenv("CAIRN_TEST_SERVER_CRASH")) || blank(System.getenv("CAIRN_TEST_SERVER_START"))) {
            return Optional.of("crashing the PostgreSQL server of the server backend needs the shell commands"
                    + " CAIRN_TEST_SERVER_CRASH (pg_ctl stop -m immediate) and CAIRN_TEST_SERVER_START (start it again),"
                    + " which .ci/run exports for the server it starts; they are not set");
        }
        return Optional.empty();
    }

    /** Stops the server at once, as a crash would; returns when it is gone. */
    public static void crash(CairnConfig config) {
        if (config.isLocal()) {
            Postgres.embeddedServer(config).stop(true);
        } else {
            shell("CAIRN_TEST_SERVER_CRASH");
        }
    }

    /** Starts the server again if it is not running (a Cairn command may have started it already). */
    public static void start(CairnConfig config) {
        if (config.isLocal()) {
            Backend.endpoint(config);
        } else {
            shell("CAIRN_TEST_SERVER_START");
        }
    }

    private static void shell(String variable) {
        String command = System.getenv(variable);
        if (blank(command)) {
            throw new IllegalStateException(variable + " is not set: " + unavailable().orElse(""));
        }
        try {
            Path out = Files.createTempFile(Backend.scratch("server-faults"), "shell", ".txt");
            Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(variable + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s: "
                        + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(variable + " failed (exit " + p.exitValue() + "): " + command + "\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + variable, e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
