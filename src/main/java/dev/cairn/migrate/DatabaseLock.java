package dev.cairn.migrate;

import dev.cairn.api.Feedback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        boolean told = false;
        while (true) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, Records.MIGRATE_DATABASE_LOCK);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return new DatabaseLock(c);
                    }
                }
            }
            if (!told) {
                feedback.notice("waiting before " + doing + ": " + Locks.describeDatabase(c)
                        .orElse("another admin is migrating the database") + "; this goes on as soon as it is done");
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

    @Override
    public void close() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, Records.MIGRATE_DATABASE_LOCK);
            ps.execute();
        }
    }
}
