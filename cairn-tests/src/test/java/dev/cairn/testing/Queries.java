package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.Query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading a database behind Cairn's back, as a superuser: one way to run a query, bind its
 * parameters and read its first column, for every test.
 */
public final class Queries {

    private Queries() {
    }

    /** Work on a superuser connection to a test database. */
    @FunctionalInterface
    public interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code q} on a superuser connection of its own; an SQL error becomes unchecked. */
    public static <T> T query(CairnConfig config, Query<T> q) {
        try (Connection c = Backend.raw(config)) {
            return q.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Runs each statement in turn as a superuser, behind Cairn's back: to set a test up, or to tamper. */
    public static void execute(CairnConfig config, String... statements) {
        query(config, c -> {
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
            return null;
        });
    }

    /** The first column of every row, as text. */
    public static List<String> strings(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** The first column of the one row there must be, as text. */
    public static String string(Connection c, String sql, Object... params) throws SQLException {
        List<String> all = strings(c, sql, params);
        if (all.size() != 1) {
            throw new IllegalStateException("expected one row, got " + all + " from " + sql);
        }
        return all.get(0);
    }

    /** The first column of the one row there must be, as a number. */
    public static long number(Connection c, String sql, Object... params) throws SQLException {
        return Long.parseLong(string(c, sql, params));
    }

    /** The id of a dataset, which names its sample table; there must be such a dataset. */
    public static long datasetId(Connection c, String name) throws SQLException {
        List<String> ids = strings(c, "SELECT id FROM cairn.datasets WHERE name = ?", name);
        if (ids.isEmpty()) {
            throw new IllegalStateException("there is no dataset " + name);
        }
        return Long.parseLong(ids.get(0));
    }

    public static long datasetId(CairnConfig config, String name) {
        return query(config, c -> datasetId(c, name));
    }

    /** The version of a dataset, or null if there is no such dataset. */
    public static String datasetVersion(Connection c, String name) throws SQLException {
        List<String> versions = strings(c, "SELECT version FROM cairn.datasets WHERE name = ?", name);
        return versions.isEmpty() ? null : versions.get(0);
    }

    public static String datasetVersion(CairnConfig config, String name) {
        return query(config, c -> datasetVersion(c, name));
    }

    /** The version of the database as a whole. */
    public static String databaseVersion(CairnConfig config) {
        return query(config, c -> string(c, "SELECT version FROM cairn.database"));
    }

    /** The qualified name of a dataset's sample table. */
    public static String table(long datasetId) {
        return "cairn_data.\"samples_" + datasetId + "\"";
    }
}
