package dev.cairn.dataset;

import dev.cairn.api.Feedback;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Optional;

/**
 * Taking a lock that someone else may hold for long (a migration of the same dataset): first
 * briefly, and if it is held, telling the user who holds it, since when and why, then waiting.
 */
public final class Waits {

    /** Says who holds the lock being waited for, if that can be told. */
    @FunctionalInterface
    public interface Holder {
        Optional<String> describe(Connection c) throws SQLException;
    }

    /** A lock taken by running one statement. */
    @FunctionalInterface
    public interface Take<T> {
        T run() throws SQLException;
    }

    static final int PATIENCE_MILLIS = 1500;

    private Waits() {
    }

    /** Runs {@code take} in the caller's transaction, telling {@code feedback} if it has to wait. */
    public static <T> T patiently(Connection c, Take<T> take, Holder holder, Feedback feedback, String what)
            throws SQLException {
        Savepoint before = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = " + PATIENCE_MILLIS);
        }
        try {
            T result = take.run();
            reset(c);
            c.releaseSavepoint(before);
            return result;
        } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
        }
        Optional<String> who = Optional.empty();
        try {
            who = holder.describe(c);
        } catch (SQLException e) {
            c.rollback(before);
        }
        feedback.notice("waiting for " + what + ": " + who.orElse("another client is changing it") + "; this client"
                + " goes on as soon as it is done");
        reset(c);
        return take.run();
    }

    private static void reset(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = 0");
        }
    }
}
