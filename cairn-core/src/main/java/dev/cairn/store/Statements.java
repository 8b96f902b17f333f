package dev.cairn.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way Cairn runs a statement with parameters: the statement and its rows are opened and
 * closed here (as Jdbi's callbacks scope them), so that no caller leaks one, and parameters are
 * bound by one rule. {@link SQLException} still reaches the caller, whose
 * {@link Sql#translate} says what it was doing.
 *
 * <p>Parameters bind as {@link PreparedStatement#setObject(int, Object)} binds them, which is what
 * the hand-written {@code setString}, {@code setLong}, {@code setInt}, {@code setBoolean},
 * {@code setTimestamp} and {@code setArray} sent (a {@code String} as {@code varchar}, a
 * {@code Long} as {@code bigint}, an {@code Integer} as {@code integer}; a {@code UUID}; a bare
 * {@code null} untyped, for the server to infer, as {@code setTimestamp} and {@code setArray} send
 * theirs), except:
 * <ul>
 *   <li>a {@code String[]}, as {@code text[]} (the driver alone would send {@code varchar[]});</li>
 *   <li>an {@link Instant}, as a {@code Timestamp} (the driver alone refuses it);</li>
 *   <li>{@link #text(String)} of null, as a null {@code varchar}, as {@code setString(i, null)} bound it.</li>
 * </ul>
 */
public final class Statements {

    /** Reads one row of a result; the result set is positioned on it and closed afterwards. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Takes one row of a result, for callers that gather rows into something other than a list. */
    @FunctionalInterface
    public interface RowCallback {
        void accept(ResultSet row) throws SQLException;
    }

    /**
     * A null sent with a type. An untyped null and a typed one are not alike to PostgreSQL: the
     * type decides how an overloaded function or {@code coalesce} resolves, and the driver
     * prepares a statement again when a parameter's type changes between executions.
     */
    private record Null(int sqlType) {
    }

    private static final Null NULL_TEXT = new Null(Types.VARCHAR);

    private Statements() {
    }

    /** A text that may be null, bound as {@code varchar} even when it is (a bare null is sent untyped). */
    public static Object text(String value) {
        return value == null ? NULL_TEXT : value;
    }

    /** Runs a statement whose result, if any, does not matter: a lock, a function returning void. */
    public static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, 1, params);
            ps.execute();
        }
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the rows it changed. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, 1, params);
            return ps.executeUpdate();
        }
    }

    /** The first row of a query, mapped (to something not null), or empty if there is none. */
    public static <T> Optional<T> one(Connection c, String sql, RowMapper<T> row, Object... params)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, 1, params);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
            }
        }
    }

    /**
     * The first row of a query that always returns one ({@code SELECT f(?)}, {@code count(*)}),
     * mapped; the mapped value may be null.
     */
    public static <T> T value(Connection c, String sql, RowMapper<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, 1, params);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("a query expected to return a row returned none: " + sql, "02000");
                }
                return row.map(rs);
            }
        }
    }

    /** Every row of a query, mapped, in the order of the result. */
    public static <T> List<T> list(Connection c, String sql, RowMapper<T> row, Object... params) throws SQLException {
        List<T> out = new ArrayList<>();
        each(c, sql, r -> out.add(row.map(r)), params);
        return out;
    }

    /** Hands every row of a query to {@code row}, in the order of the result. */
    public static void each(Connection c, String sql, RowCallback row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, 1, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        }
    }

    /**
     * Binds {@code params} from parameter {@code first} on, by the rule above: for the statements
     * whose life is not one call (a cursor read while the caller iterates, a batch).
     */
    public static void bind(PreparedStatement ps, int first, List<?> params) throws SQLException {
        int i = first;
        for (Object p : params) {
            bindOne(ps, i++, p);
        }
    }

    private static void bind(PreparedStatement ps, int first, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            bindOne(ps, first + i, params[i]);
        }
    }

    private static void bindOne(PreparedStatement ps, int index, Object p) throws SQLException {
        if (p instanceof Null n) {
            ps.setNull(index, n.sqlType());
        } else if (p instanceof String[] texts) {
            ps.setArray(index, ps.getConnection().createArrayOf("text", texts));
        } else if (p instanceof Instant instant) {
            ps.setTimestamp(index, Timestamp.from(instant));
        } else {
            ps.setObject(index, p);
        }
    }
}
