package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the {@code cairn} command in this JVM, as a user would from a shell, and keeps what it printed. */
public final class Cli {

    /** What one command did. */
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private Cli() {
    }

    public static Result run(CairnConfig config, String... args) {
        return run(Backend.environment(config), args);
    }

    public static Result run(CairnConfig config, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(Backend.environment(config));
        env.putAll(extra);
        return run(env, args);
    }

    public static Result run(Map<String, String> env, String... args) {
        return runWithInput(env, "", args);
    }

    /** Runs a command that must succeed: unless it exits 0, the test fails and shows what it printed. */
    public static Result ok(Map<String, String> env, String... args) {
        return succeeded(run(env, args), args);
    }

    /** The same, with {@code input} on the command's standard input. */
    public static Result okWithInput(Map<String, String> env, String input, String... args) {
        return succeeded(runWithInput(env, input, args), args);
    }

    private static Result succeeded(Result r, String... args) {
        assertThat(r.exit()).as("cairn %s\n%s", String.join(" ", args), r).isZero();
        return r;
    }

    /** Runs a command with {@code input} on its standard input. */
    public static Result runWithInput(Map<String, String> env, String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.execute(args, env, new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), o, e);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
