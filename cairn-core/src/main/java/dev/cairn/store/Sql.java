package dev.cairn.store;

import dev.cairn.api.CairnException;
import dev.cairn.api.DatabaseUnavailableException;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Remedy;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Scoped use of connections and transactions, and the translation of database errors. */
public final class Sql {

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Sql() {
    }

    /** An identifier quoted by PostgreSQL itself, for DDL that cannot take bound values. */
    public static String ident(Connection c, String name) throws SQLException {
        return quoted(c, "quote_ident", name);
    }

    /** A text as a literal quoted by PostgreSQL itself, for DDL that cannot take bound values. */
    public static String literal(Connection c, String text) throws SQLException {
        return quoted(c, "quote_literal", text);
    }

    private static String quoted(Connection c, String function, String text) throws SQLException {
        return Statements.value(c, "SELECT " + function + "(?)", rs -> rs.getString(1), Statements.text(text));
    }

    /** The first column of every row of a query without parameters. */
    public static java.util.List<String> column(Connection c, String query) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Runs statements without parameters, in order. */
    public static void execute(Connection c, java.util.List<String> statements) throws SQLException {
        try (java.sql.Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (Throwable t) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        } finally {
            try {
                c.setAutoCommit(auto);
            } catch (SQLException ignored) {
                // the connection is broken; the pool will drop it
            }
        }
    }

    /** A driver's message as part of a sentence: without its trailing full stop. */
    private static String sentence(String message) {
        String m = message == null ? "" : message.strip();
        while (m.endsWith(".")) {
            m = m.substring(0, m.length() - 1);
        }
        return m;
    }

    /**
     * The pool's own error for a connection it closed after the connection broke (it then
     * answers every call with this message and no SQL state): a lost connection too.
     */
    private static boolean closedByThePool(SQLException e) {
        return e.getSQLState() == null && "Connection is closed".equals(e.getMessage());
    }

    /** The message of a check of Cairn's own in the database (raised as "cairn: ..."), without that prefix. */
    private static String cairnsOwnWords(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            String m = p.getServerErrorMessage().getMessage();
            if (m != null && m.startsWith("cairn: ")) {
                return m.substring("cairn: ".length());
            }
        }
        return null;
    }

    /**
     * A database error as a Cairn error: lost connections and refused privileges get their own
     * kinds; everything else is a failure of {@code doing}.
     */
    public static CairnException translate(SQLException e, String doing) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("57P05") || state.equals("25P03") || closedByThePool(e)) {
            return new DatabaseUnavailableException("lost the connection to the database while " + doing + " ("
                    + sentence(e.getMessage()) + "). What was not committed was rolled back; run it again once the"
                    + " database is back.", e);
        }
        if (state.equals("42501")) {
            String own = cairnsOwnWords(e);
            if (own != null) {
                Optional<Access.Hinted> hinted = Access.hinted(e);
                return hinted.isEmpty() ? new RefusedException("the database refused " + doing + ": " + sentence(own)
                        + ". Nothing of it was changed.", e)
                        : new RefusedException("the database refused " + doing + ": " + own + hinted.get().lead()
                        + (hinted.get().lead().endsWith(".") ? "" : ". Nothing of it was changed."),
                        List.of(hinted.get().remedy()), e);
            }
            // PostgreSQL's own "permission denied for table ..." names Cairn's internals, not what to do
            return new RefusedException("the database refused " + doing + ": only an admin of the database may do"
                    + " that, connected as a database user that is a member of the role owning Cairn's records"
                    + " ('{0}' lists them); yours is not. Nothing of it was changed.", List.of(new Remedy.ListUsers()), e);
        }
        if (state.equals("53100")) {
            return new CairnException("the database server is out of disk space while " + doing
                    + "; nothing of that step was kept", e);
        }
        return new CairnException("database error while " + doing + ": " + e.getMessage(), e);
    }
}
