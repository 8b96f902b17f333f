package dev.cairn.migrate;

import java.nio.file.Path;
import java.sql.Connection;

/** A fault that strikes a running migrator: SIGKILL, a crash of its server, a dropped connection. */
interface Fault {
    /** A word for messages and counts: "kill", "crash", "drop". */
    String name();

    /**
     * Strikes at the moment. {@code c} is a superuser connection to the test database, which
     * the fault may use (a server crash breaks it). Returns what it did, or null if there was
     * nothing to strike: the migrator ended first.
     */
    String strike(Process p, Connection c) throws Exception;

    /** Once struck: waits for the migrator to end and for the database to be reachable again. */
    void settle(Process p, Path output) throws Exception;

    /** Whether the fault kills the migrator itself, so that its exit status says nothing. */
    default boolean killsTheMigrator() {
        return false;
    }
}
