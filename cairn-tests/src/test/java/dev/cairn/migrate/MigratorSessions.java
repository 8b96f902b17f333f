package dev.cairn.migrate;

import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Processes;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.FaultRun.PROCESS_TIMEOUT_SECONDS;
import static dev.cairn.testing.Queries.datasetId;
import static dev.cairn.testing.Queries.table;
import static org.assertj.core.api.Assertions.fail;


/**
 * A migrator's sessions and locks as the server sees them, for the fault tests: finding them in
 * pg_stat_activity, terminating them, waiting until they are gone, and holding a dataset so that
 * a migrator's step on it waits.
 */
final class MigratorSessions {

    static final long LOCK_RELEASE_TIMEOUT_MILLIS = 60_000;

    private MigratorSessions() {
    }

    /** One of the migrator's sessions, as pg_stat_activity shows it. */
    record Session(int pid, String state, boolean holdsMigrationLock, String query) {
        @Override
        public String toString() {
            return pid + " (" + state + (holdsMigrationLock ? ", holding the migration lock" : "") + ": " + query + ")";
        }
    }

    /** The sessions of Cairn clients (application name "cairn RELEASE") connected to the test database. */
    static List<Session> migratorSessions(Connection c) throws SQLException {
        List<Session> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, coalesce(a.state, ''), EXISTS (SELECT 1 FROM"
                + " pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ?), left(a.query, 60) FROM pg_stat_activity a"
                + " WHERE a.datname = current_database() AND a.application_name LIKE 'cairn %'"
                + " AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() ORDER BY a.pid")) {
            ps.setLong(1, DatabaseTable.MIGRATE_DATABASE_LOCK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Session(rs.getInt(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    static boolean terminate(Connection c, int pid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Waits until a session of the configuration's database matches {@code condition} on pg_stat_activity. */
    static void awaitSession(CairnConfig config, String condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_SECONDS);
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                        + " current_database() AND pid <> pg_backend_pid() AND " + condition)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        fail("no session of the database came to " + condition + " in " + PROCESS_TIMEOUT_SECONDS + " s");
    }

    /**
     * Waits until no session but this one is connected to the test database and no advisory lock
     * is held in it: a dead migrator's sessions end when PostgreSQL sees its sockets close (a
     * statement under way first runs to its end). Returns how long that took.
     */
    static long awaitSessionsAndLocksGone(CairnConfig config, String what) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            while (true) {
                List<String> left = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT 'session ' || a.pid || ' (' || a.state || ': '"
                        + " || left(a.query, 80) || ')' FROM pg_stat_activity a WHERE a.datname = current_database()"
                        + " AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()"
                        + " UNION ALL SELECT 'advisory lock ' || l.classid || '/' || l.objid || ' held by ' || l.pid"
                        + " FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory'"
                        + " AND d.datname = current_database()")) {
                    while (rs.next()) {
                        left.add(rs.getString(1));
                    }
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                if (left.isEmpty()) {
                    return millis;
                }
                if (millis > LOCK_RELEASE_TIMEOUT_MILLIS) {
                    fail(what + ": " + millis + " ms after the migrator died, its sessions and locks are still there: "
                            + left);
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Starts {@code cairn ARGS} in a JVM of its own, writing to {@code output}, and waits until
     * one of its sessions waits for a lock: on a dataset that {@link #blockDataset} holds.
     */
    static Process startBlocked(CairnConfig config, Path output, String... args) throws Exception {
        Process p = Processes.start(config, Map.of(), output, args);
        awaitSession(config, "wait_event_type = 'Lock' AND application_name LIKE 'cairn %'");
        return p;
    }

    /** What a test does to a migrator while the migrator waits behind a blocked dataset. */
    @FunctionalInterface
    interface Meanwhile {
        void run(Process migrator) throws Exception;
    }

    /**
     * Starts {@code cairn ARGS} while a reader holds {@code dataset} ({@link #blockDataset}), does
     * {@code meanwhile} once the migrator waits for it, then lets the dataset go; returns the migrator.
     */
    static Process startBehind(CairnConfig config, String dataset, Path output, Meanwhile meanwhile, String... args)
            throws Exception {
        try (Connection blocker = blockDataset(config, dataset)) {
            Process p = startBlocked(config, output, args);
            meanwhile.run(p);
            blocker.rollback();
            return p;
        }
    }

    /**
     * A reader's long transaction on a dataset's sample table: a migrator's step on that dataset
     * waits for it (in a lock wait that pg_stat_activity shows) until the connection rolls back.
     */
    static Connection blockDataset(CairnConfig config, String dataset) throws SQLException {
        Connection c = Backend.raw(config);
        try (Statement s = c.createStatement()) {
            long id = datasetId(c, dataset);
            c.setAutoCommit(false);
            s.execute("LOCK TABLE " + table(id) + " IN ACCESS SHARE MODE");
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
