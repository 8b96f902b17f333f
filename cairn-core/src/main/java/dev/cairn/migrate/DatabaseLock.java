package dev.cairn.migrate;

import dev.cairn.api.Feedback;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The lock that one database migration at a time holds, for its whole length: a PostgreSQL
 * session advisory lock, so that it dies with its holder's connection (a killed migrator never
 * leaves the database locked). Whoever waits for it is told who holds it.
 */
final class DatabaseLock implements AutoCloseable {

    private static final long POLL_MILLIS = 500;

    private final Connection connection;

    private DatabaseLock(Connection connection) {
        this.connection = connection;
    }

    static DatabaseLock acquire(Connection c, Feedback feedback, String doing) throws SQLException {
        try (java.sql.Statement s = c.createStatement()) {
            // the session that holds the lock sits idle while others work: the server must not end it for that
            s.execute("SET idle_session_timeout = 0");
        } catch (SQLException olderServer) {
            // PostgreSQL before 14 has no such setting, and no such timeout
        }
        boolean told = false;
        while (true) {
            if (Statements.value(c, "SELECT pg_try_advisory_lock(?)", rs -> rs.getBoolean(1),
                    DatabaseTable.MIGRATE_DATABASE_LOCK)) {
                return new DatabaseLock(c);
            }
            if (!told) {
                feedback.notice("waiting before " + doing + ": the migration lock is taken. " + describe(c)
                        + "; this goes on as soon as it is released");
                told = true;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the database migration lock", "57014");
            }
        }
    }

    /** Who holds the lock, and the migration under way if one is recorded. */
    private static String describe(Connection c) throws SQLException {
        String holder = Locks.advisoryHolder(c, DatabaseTable.MIGRATE_DATABASE_LOCK)
                .map(h -> Character.toUpperCase(h.charAt(0)) + h.substring(1)).orElse("Its holder has just let it go");
        return holder + Locks.describeDatabase(c).map(p -> " (recorded: " + p + ")").orElse("");
    }

    /**
     * Whether this session still holds the lock: it dies with the session, which the server may
     * end (a dropped connection, an idle timeout). A migration that lost it must not go on.
     */
    boolean held() {
        try {
            return Statements.one(connection, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND pid = pg_backend_pid() AND granted AND ((classid::bigint << 32) | objid::bigint) = ?",
                    rs -> rs.getLong(1) > 0, DatabaseTable.MIGRATE_DATABASE_LOCK).orElse(false);
        } catch (SQLException lost) {
            return false;
        }
    }

    /**
     * Releases the lock. If that fails (the session is gone, and the lock with it), the
     * connection is discarded rather than returned to the pool, so that no pooled connection
     * ever keeps a lock of a migration that ended.
     */
    @Override
    public void close() {
        try {
            Statements.execute(connection, "SELECT pg_advisory_unlock(?)", DatabaseTable.MIGRATE_DATABASE_LOCK);
        } catch (SQLException e) {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // it is gone already
            }
        }
    }
}
