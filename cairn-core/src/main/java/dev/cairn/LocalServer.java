package dev.cairn;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.Feedback;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.LocalServerStatus;
import dev.cairn.localserver.EmbeddedServer;
import dev.cairn.store.Postgres;

/**
 * The local PostgreSQL server that Cairn runs itself, with its data under {@code CAIRN_HOME}: its
 * state, starting and stopping it. Commands start it by themselves when they need it; this is for
 * looking at it and stopping it ({@code cairn db}).
 */
public final class LocalServer {

    private final EmbeddedServer server;

    private LocalServer(EmbeddedServer server) {
        this.server = server;
    }

    /**
     * The local server of a configuration that uses one.
     *
     * @throws InvalidInputException if the configuration uses a shared database instead
     */
    public static LocalServer of(CairnConfig config) {
        if (!config.isLocal()) {
            throw new InvalidInputException("this configuration uses the shared database "
                    + config.databaseUri().orElseThrow() + " (CAIRN_DATABASE_URI), not a local server");
        }
        return new LocalServer(Postgres.embeddedServer(config));
    }

    /** Where it stands, read without waiting for any lock. */
    public LocalServerStatus status() {
        return server.status();
    }

    /** Starts it (creating it on first use) unless it runs; returns where it stands then. */
    public LocalServerStatus start(int port, Feedback feedback) {
        server.start(port, feedback);
        return server.status();
    }

    /**
     * Stops it, cleanly or at once (as a crash would: PostgreSQL recovers at the next start, keeping
     * what was committed); returns whether it was running.
     */
    public boolean stop(boolean immediate) {
        return server.stop(immediate);
    }
}
