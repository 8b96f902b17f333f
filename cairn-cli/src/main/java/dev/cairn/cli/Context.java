package dev.cairn.cli;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;

import java.io.PrintStream;
import java.util.Map;

/** What every command runs with: the environment, the output streams, and the loaded configuration. */
final class Context {

    private final Map<String, String> environment;
    final PrintStream out;
    final PrintStream err;
    private final java.io.InputStream in;
    private boolean verbose;
    private CairnConfig config;

    Context(Map<String, String> environment, java.io.InputStream in, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.in = in;
        this.out = out;
        this.err = err;
        this.verbose = environment.containsKey("CAIRN_DEBUG");
    }

    /** Standard input, for passwords and confirmations. */
    java.io.InputStream in() {
        return in;
    }

    boolean verbose() {
        return verbose;
    }

    void verbose(boolean v) {
        verbose = verbose || v;
    }

    CairnConfig config() {
        if (config == null) {
            config = CairnConfig.load(environment);
        }
        return config;
    }

    Cairn open(boolean json) {
        return Cairn.open(config(), feedback(json));
    }

    Migrations migrations(boolean json) {
        return Migrations.open(config(), feedback(json));
    }

    CliFeedback feedback(boolean json) {
        return new CliFeedback(err, System.console() != null && !json && !environment.containsKey("CAIRN_NO_PROGRESS"),
                false);
    }
}
