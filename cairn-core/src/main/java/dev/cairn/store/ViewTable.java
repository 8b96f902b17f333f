package dev.cairn.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The SQL of {@code cairn.saved_views}: named queries kept with each dataset (data model 0.3.0 on). */
public final class ViewTable {

    private ViewTable() {
    }

    /** Revision 0.3.0 up. */
    public static void create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE cairn.saved_views (
                      dataset_id bigint NOT NULL REFERENCES cairn.datasets (id) ON DELETE CASCADE,
                      name text NOT NULL,
                      query jsonb NOT NULL,
                      created_at timestamptz NOT NULL DEFAULT now(),
                      created_by text NOT NULL DEFAULT current_user,
                      PRIMARY KEY (dataset_id, name)
                    )""");
        }
    }

    /** Revision 0.3.0 down: the saved views go with it. */
    public static void drop(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE cairn.saved_views");
        }
    }

    public static void save(Connection c, long datasetId, String name, String query) throws SQLException {
        if (Access.confined(c)) {
            checked(c, "SELECT cairn.save_view(?, ?, ?::jsonb)", datasetId, name, query);
            return;
        }
        Statements.update(c, "INSERT INTO cairn.saved_views (dataset_id, name, query)"
                + " VALUES (?, ?, ?::jsonb) ON CONFLICT (dataset_id, name) DO UPDATE SET query = excluded.query,"
                + " created_at = now(), created_by = current_user", datasetId, Statements.text(name),
                Statements.text(query));
    }

    public static Optional<String> get(Connection c, long datasetId, String name) throws SQLException {
        return Statements.one(c, "SELECT query FROM cairn.saved_views WHERE dataset_id = ? AND name = ?",
                rs -> rs.getString(1), datasetId, Statements.text(name));
    }

    public static Map<String, String> list(Connection c, long datasetId) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        Statements.each(c, "SELECT name, query FROM cairn.saved_views WHERE dataset_id = ? ORDER BY name",
                rs -> out.put(rs.getString(1), rs.getString(2)), datasetId);
        return out;
    }

    public static boolean delete(Connection c, long datasetId, String name) throws SQLException {
        if (Access.confined(c)) {
            return checked(c, "SELECT cairn.delete_view(?, ?)", datasetId, name);
        }
        return Statements.update(c, "DELETE FROM cairn.saved_views WHERE dataset_id = ? AND name = ?", datasetId,
                Statements.text(name)) == 1;
    }

    /** Copies a dataset's saved views to another, for a clone. */
    static void copy(Connection c, long fromId, long toId) throws SQLException {
        if (Access.confined(c)) {
            checked(c, "SELECT cairn.copy_views(?, ?)", fromId, toId);
            return;
        }
        Statements.update(c, "INSERT INTO cairn.saved_views (dataset_id, name, query)"
                + " SELECT ?, name, query FROM cairn.saved_views WHERE dataset_id = ?", toId, fromId);
    }

    /** Calls a checked path of a regular user's (see {@link Access}); returns its boolean result, if any. */
    private static boolean checked(Connection c, String call, Object... params) throws SQLException {
        try {
            return Statements.one(c, call, rs -> Boolean.TRUE.equals(rs.getObject(1)), params).orElse(false);
        } catch (SQLException e) {
            throw Access.refusal(e);
        }
    }
}
