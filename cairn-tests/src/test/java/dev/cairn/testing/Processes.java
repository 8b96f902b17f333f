package dev.cairn.testing;

import dev.cairn.api.CairnConfig;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs Cairn in separate JVM processes, for what only separate processes show: concurrency, kill -9. */
public final class Processes {

    private Processes() {
    }

    /** The java command and class path of this test JVM. */
    public static List<String> java(String... jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(classPath());
        return cmd;
    }

    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Starts {@code cairn ARGS} in a new JVM against the configuration's database. */
    public static Process start(CairnConfig config, Map<String, String> extraEnv, Path output, String... args)
            throws IOException {
        return start(Backend.environment(config), extraEnv, List.of(), "dev.cairn.cli.Main", output, args);
    }

    /** Starts a main class in a new JVM with the environment given, its output into {@code output}. */
    public static Process start(Map<String, String> env, Map<String, String> extraEnv, List<String> jvmOptions,
                                String mainClass, Path output, String... args) throws IOException {
        List<String> cmd = java(jvmOptions.toArray(String[]::new));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_") && !k.equals("CAIRN_TEST_SERVER_URI"));
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        return pb.start();
    }

    /** What a finished process did. */
    public record Finished(int exit, String output) {
    }

    /** Runs {@code cairn ARGS} in a new JVM and waits for it. */
    public static Finished run(CairnConfig config, Map<String, String> extraEnv, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(Backend.scratch("proc"), "out", ".txt");
        Process p = start(config, extraEnv, out, args);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("cairn " + String.join(" ", args) + " did not finish in 300 s");
        }
        return new Finished(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
