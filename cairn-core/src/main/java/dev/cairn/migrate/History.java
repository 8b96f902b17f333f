package dev.cairn.migrate;

import dev.cairn.api.Version;
import dev.cairn.api.migration.HistoryEntry;
import dev.cairn.store.Access;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of {@code cairn.history}: one row a migration, written when it starts (committed at
 * once, so that a migration killed half-way still shows, as interrupted) and completed when it
 * ends.
 */
final class History {

    private History() {
    }

    static void createTable(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE cairn.history (
                  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  dataset_id bigint,
                  dataset_name text,
                  from_version text,
                  to_version text NOT NULL,
                  by_whom text NOT NULL,
                  database_user text NOT NULL DEFAULT current_user,
                  client_release text NOT NULL,
                  command text NOT NULL,
                  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                  finished_at timestamptz,
                  duration_ms bigint,
                  outcome text NOT NULL DEFAULT 'running',
                  message text,
                  backend_pid integer NOT NULL DEFAULT pg_backend_pid(),
                  backend_start timestamptz
                )""");
        s.execute("CREATE INDEX ON cairn.history (dataset_id)");
    }

    /**
     * Writes the start of a migration, committed at once: call it on a connection in autocommit,
     * before the migrating transaction begins.
     */
    static long start(Connection c, Long datasetId, String datasetName, Version from, Version to, String by,
                      String release, String command) throws SQLException {
        // committed and on disk before the step begins: a step cut short by a crash of the server
        // still shows, as interrupted, in --info
        return insert(c, datasetId, datasetName, from, to, by, release, command);
    }

    private static long insert(Connection c, Long datasetId, String datasetName, Version from, Version to, String by,
                               String release, String command) throws SQLException {
        // a regular user writes entries of their own lazy upgrades only, through the checked path
        boolean confined = Access.confined(c);
        return Statements.value(c, confined ? "SELECT cairn.history_start(?, ?, ?, ?, ?, ?, ?)"
                : "INSERT INTO cairn.history (dataset_id, dataset_name, from_version, to_version, by_whom, client_release,"
                + " command, backend_start) VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT backend_start FROM pg_stat_activity"
                + " WHERE pid = pg_backend_pid())) RETURNING id", rs -> rs.getLong(1), datasetId,
                Statements.text(datasetName), Statements.text(from == null ? null : from.toString()), to.toString(),
                Statements.text(by), Statements.text(release), Statements.text(command));
    }

    static void finish(Connection c, long id, String outcome, String message) throws SQLException {
        if (Access.confined(c)) {
            Statements.execute(c, "SELECT cairn.history_finish(?, ?, ?)", id, Statements.text(outcome),
                    Statements.text(message));
            return;
        }
        Statements.update(c, "UPDATE cairn.history SET finished_at = clock_timestamp(),"
                + " duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint, outcome = ?,"
                + " message = ? WHERE id = ?", Statements.text(outcome), Statements.text(message), id);
    }

    private static final String SELECT = "SELECT h.id, h.dataset_name, h.from_version, h.to_version, h.by_whom,"
            + " h.database_user, h.client_release, h.command, h.started_at, h.finished_at, h.duration_ms,"
            + " CASE WHEN h.outcome = 'running' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
            + "   WHERE a.pid = h.backend_pid AND (a.backend_start IS NULL OR a.backend_start IS NOT DISTINCT FROM h.backend_start))"
            + " THEN 'interrupted' ELSE h.outcome END AS outcome_now, h.message, h.dataset_id FROM cairn.history h";

    /** The newest entries first, at most {@code limit}; only a dataset's when {@code datasetName} is given. */
    static List<HistoryEntry> list(Connection c, int limit, String datasetName) throws SQLException {
        String sql = SELECT + (datasetName == null ? "" : " WHERE h.dataset_name = ?") + " ORDER BY h.id DESC LIMIT ?";
        return datasetName == null ? Statements.list(c, sql, History::read, limit)
                : Statements.list(c, sql, History::read, datasetName, limit);
    }

    /**
     * Migrations whose client went away before they ended, and that nothing has finished since:
     * once a later step on the same dataset (or on the database) has run to its end, the
     * interruption no longer needs anyone's attention. Newest first.
     */
    static List<HistoryEntry> interrupted(Connection c) throws SQLException {
        return Statements.list(c, "SELECT * FROM (" + SELECT + " WHERE h.outcome = 'running'"
                + " AND NOT EXISTS (SELECT 1 FROM cairn.history l WHERE l.id > h.id"
                + " AND l.dataset_id IS NOT DISTINCT FROM h.dataset_id AND l.outcome IN ('ok', 'skipped'))) x"
                + " WHERE x.outcome_now = 'interrupted' ORDER BY x.id DESC", History::read);
    }

    private static HistoryEntry read(ResultSet rs) throws SQLException {
        Timestamp finished = rs.getTimestamp(10);
        Long duration = rs.getObject(11) == null ? null : rs.getLong(11);
        return new HistoryEntry(rs.getLong(1), Optional.ofNullable(rs.getString(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant(),
                finished == null ? null : finished.toInstant(), duration, rs.getString(12),
                rs.getString(13));
    }
}
