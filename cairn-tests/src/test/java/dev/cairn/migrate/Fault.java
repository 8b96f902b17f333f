package dev.cairn.migrate;

import java.nio.file.Path;
import java.sql.Connection;

/** A fault that strikes a running migrator: SIGKILL, a crash of its server, a dropped connection. */
abstract class Fault {
    private final String name;

    /** {@code name}: what the fault is called in messages ("SIGKILL", "server crash"). */
    Fault(String name) {
        this.name = name;
    }

    final String name() {
        return name;
    }

    /**
     * Strikes at the moment. {@code c} is a superuser connection to the test database, which
     * the fault may use (a server crash breaks it). Returns what it did, or null if there was
     * nothing to strike: the migrator ended first.
     */
    abstract String strike(Process p, Connection c) throws Exception;

    /** Once struck: waits for the migrator to end and for the database to be reachable again. */
    abstract void settle(Process p, Path output) throws Exception;

    /** Whether the fault kills the migrator itself, so that its exit status says nothing. */
    boolean killsTheMigrator() {
        return false;
    }
}
