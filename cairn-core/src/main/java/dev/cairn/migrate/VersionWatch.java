package dev.cairn.migrate;

import dev.cairn.store.Postgres;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The database's version as a long-lived client keeps it, so that a load reads the dataset's row
 * alone: a session of its own {@code LISTEN}s on {@link DatabaseTable#MOVED_CHANNEL}, then reads the
 * version, and reads it again at every notification. The version is known only while that session
 * lives and the record announces its changes (a trigger every release's writes fire); otherwise
 * loads read it as they always did.
 *
 * <p>A known version can be behind the database for as long as a notification takes to arrive:
 * a load then leaves the dataset where it is, as a load just before the migration committed
 * would. It is never trusted to move anything: a lazy upgrade reads the record afresh under its
 * lock, so a stale version can neither undo a downgrade nor skip a check.
 */
final class VersionWatch implements Runnable {

    /** How long the listening session waits for a notification before it checks that it should go on. */
    private static final int WAIT_MILLIS = 1000;

    private final Postgres postgres;
    private volatile String known;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile Connection session;

    VersionWatch(Postgres postgres) {
        this.postgres = postgres;
    }

    /** The database's version, if the watch knows it now. */
    Optional<String> known() {
        return Optional.ofNullable(known);
    }

    /** Starts watching, once, on a daemon thread; a client that loads rarely never starts it. */
    void start() {
        if (started || closed) {
            return;
        }
        synchronized (this) {
            if (started) {
                return;
            }
            started = true;
        }
        Thread t = new Thread(this, "cairn-version-watch");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try (Connection c = postgres.dedicatedConnection()) {
            session = c;
            if (closed || !DatabaseTable.announcesMoves(c)) {
                return;
            }
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + DatabaseTable.MOVED_CHANNEL);
            }
            // read after LISTEN took effect: a change from now on is announced, one before is read
            known = DatabaseTable.versionAlone(c);
            PGConnection listener = c.unwrap(PGConnection.class);
            while (!closed) {
                var notices = listener.getNotifications(WAIT_MILLIS);
                if (notices != null && notices.length > 0) {
                    known = null;
                    known = DatabaseTable.versionAlone(c);
                }
            }
        } catch (SQLException | RuntimeException e) {
            // the session is gone (the server restarted, the connection was ended, the client
            // closed): from now on loads read the version themselves
        } finally {
            known = null;
            session = null;
        }
    }

    /** Stops watching: loads read the version themselves from now on. */
    void close() {
        closed = true;
        known = null;
        Connection c = session;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the thread ends at its next wait either way
            }
        }
    }
}
