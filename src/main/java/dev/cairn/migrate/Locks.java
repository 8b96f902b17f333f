package dev.cairn.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Who holds what a client waits for, told from the history of migrations under way. */
final class Locks {

    private Locks() {
    }

    /** The migration under way on a dataset, as a sentence, if there is one. */
    static Optional<String> describeDataset(Connection c, long datasetId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT h.by_whom, h.client_release, h.from_version, h.to_version,"
                + " h.started_at FROM cairn.history h JOIN pg_stat_activity a ON a.pid = h.backend_pid"
                + " AND a.backend_start IS NOT DISTINCT FROM h.backend_start"
                + " WHERE h.dataset_id = ? AND h.outcome = 'running' ORDER BY h.id DESC LIMIT 1")) {
            ps.setLong(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(rs.getString(1) + " (release " + rs.getString(2) + ") has been migrating it from "
                        + rs.getString(3) + " to " + rs.getString(4) + " since " + rs.getTimestamp(5).toInstant());
            }
        }
    }

    /** The migration under way on the dataset of this name, as a sentence, if there is one. */
    static Optional<String> describeDataset(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM cairn.datasets WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? describeDataset(c, rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /** The database migration under way, as a sentence, if there is one. */
    static Optional<String> describeDatabase(Connection c) throws SQLException {
        return Records.read(c, "").pending().map(PendingMigration::describe);
    }
}
