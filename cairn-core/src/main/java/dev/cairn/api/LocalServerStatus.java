package dev.cairn.api;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Where the local PostgreSQL server that Cairn runs itself stands, as its files and processes show
 * it ({@code cairn db status}).
 *
 * @param initialised     whether its data folder exists
 * @param pid             its postmaster's process id, when it has one (running, starting, or gone)
 * @param port            the port it listens on (or listened on), when known
 * @param startedAt       when it started, when known
 * @param postgresVersion the version of the PostgreSQL binaries Cairn carries
 */
public record LocalServerStatus(boolean initialised, State state, Long pid, Integer port, Instant startedAt,
                                Path dataDirectory, Path log, String postgresVersion) {

    /** Whether it answers: running and ready. */
    public boolean running() {
        return state == State.RUNNING;
    }

    /** Where the local server stands. */
    public enum State {
        /** No data folder yet: the first command creates it. */
        NONE,
        /** Stopped cleanly (or never started): the next command starts it. */
        STOPPED,
        /** Its postmaster is gone without stopping (killed, crashed): the next command starts it, and it recovers. */
        STOPPED_ABRUPTLY,
        /** Its postmaster runs but does not answer yet: starting, or recovering after a crash. */
        STARTING,
        RUNNING
    }
}
