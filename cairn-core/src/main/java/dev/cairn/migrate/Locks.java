package dev.cairn.migrate;

import dev.cairn.api.migration.PendingMigration;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** Who holds what a client waits for, told from the history of migrations under way. */
final class Locks {

    private Locks() {
    }

    /** The migration under way on a dataset, as a sentence, if there is one. */
    static Optional<String> describeDataset(Connection c, long datasetId) throws SQLException {
        return Statements.one(c, "SELECT h.by_whom, h.client_release, h.from_version, h.to_version,"
                + " h.started_at, h.database_user FROM cairn.history h JOIN pg_stat_activity a ON a.pid = h.backend_pid"
                + " AND (a.backend_start IS NULL OR a.backend_start IS NOT DISTINCT FROM h.backend_start)"
                + " WHERE h.dataset_id = ? AND h.outcome = 'running' ORDER BY h.id DESC LIMIT 1",
                rs -> "the database user " + rs.getString(6) + " (client " + rs.getString(1) + ", release "
                        + rs.getString(2) + ") has been migrating it from "
                        + rs.getString(3) + " to " + rs.getString(4) + " since " + rs.getTimestamp(5).toInstant(),
                datasetId);
    }

    /** The migration under way on the dataset of this name, as a sentence, if there is one. */
    static Optional<String> describeDataset(Connection c, String name) throws SQLException {
        Optional<Long> id = Statements.one(c, "SELECT id FROM cairn.datasets WHERE name = ?", rs -> rs.getLong(1),
                Statements.text(name));
        return id.isPresent() ? describeDataset(c, id.get()) : Optional.empty();
    }

    /**
     * Who holds an advisory lock of Cairn's, as a sentence: the database user, the session
     * (process id, application, since when) and whether that user is an admin of the database.
     * Anyone may take an advisory lock, so a regular user holding one of Cairn's is named too.
     */
    static Optional<String> advisoryHolder(Connection c, long key) throws SQLException {
        return Statements.one(c, "SELECT a.usename, a.pid, a.application_name, a.backend_start,"
                + " pg_has_role(a.usesysid, (SELECT nspowner FROM pg_namespace WHERE nspname = 'cairn'), 'MEMBER')"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ? AND l.pid <> pg_backend_pid()"
                + " ORDER BY a.backend_start LIMIT 1", rs -> {
                    String application = rs.getString(3);
                    // a session's start is hidden from those who may not read every session's statistics
                    java.sql.Timestamp since = rs.getTimestamp(4);
                    return "the database user " + dev.cairn.api.Texts.quoted(String.valueOf(rs.getString(1)))
                            + " holds it (session " + rs.getInt(2) + (application == null || application.isEmpty() ? ""
                            : ", application " + dev.cairn.api.Texts.quoted(application)) + (since == null ? ""
                            : ", connected since " + since.toInstant()) + "), and " + (rs.getBoolean(5)
                            ? "is an admin of this database"
                            : "is not an admin of this database: an admin can end that session with"
                            + " SELECT pg_terminate_backend(" + rs.getInt(2) + ")");
                }, key);
    }

    /** The database migration under way, as a sentence, if there is one. */
    static Optional<String> describeDatabase(Connection c) throws SQLException {
        return DatabaseTable.read(c, "").pending().map(PendingMigration::describe);
    }
}
