package dev.cairn.store;

import dev.cairn.api.Feedback;
import dev.cairn.api.StoredSample;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Whole-dataset changes for revisions, set-based or in Java, within the migrating transaction,
 * with progress and without holding the samples in memory.
 */
final class SampleRewrites {

    /** Rows changed by one statement of a batched update: big enough that a batch costs what a row costs. */
    static final int BATCH = 100_000;
    private static final int FETCH = 2_000;

    private SampleRewrites() {
    }

    /** An estimate of a table's rows, for progress; exact counts would cost a scan. */
    static long estimate(Connection c, String table) throws SQLException {
        return Statements.one(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?::regclass",
                rs -> rs.getLong(1), table).orElse(-1L);
    }

    static long update(Connection c, String table, String assignment, String condition, Object[] parameters,
                       Feedback feedback, String what) throws SQLException {
        int assignmentParameters = count(assignment);
        if (assignmentParameters + count(condition == null ? "" : condition) != parameters.length) {
            throw new IllegalArgumentException("the assignment and condition take " + (assignmentParameters
                    + count(condition == null ? "" : condition)) + " parameters, not " + parameters.length);
        }
        String filter = condition == null ? "" : " AND (" + condition + ")";
        long rows = rows(c, table);
        try (Feedback.Progress progress = feedback.start(what, rows, "samples")) {
            if (rows <= BATCH) {
                long changed = range(c, "UPDATE " + table + " SET " + assignment + " WHERE true" + filter, null, null,
                        parameters);
                progress.advance(rows);
                return changed;
            }
            List<UUID> bounds = new ArrayList<>();
            long counted = bounds(c, table, bounds);
            if (counted != rows) {
                // the estimate was off; the batches' count is exact, and the progress ends at 100%
                progress.total(counted);
            }
            long changed = 0;
            UUID low = null;
            for (int i = 0; i <= bounds.size(); i++) {
                UUID high = i < bounds.size() ? bounds.get(i) : null;
                String range = (low == null ? "true" : "id > ?") + (high == null ? "" : " AND id <= ?");
                changed += range(c, "UPDATE " + table + " SET " + assignment + " WHERE " + range + filter, low, high,
                        parameters, assignmentParameters);
                progress.advance(i < bounds.size() ? BATCH : counted - (long) BATCH * bounds.size());
                low = high;
            }
            return changed;
        }
    }

    private static long range(Connection c, String sql, UUID low, UUID high, Object[] parameters) throws SQLException {
        return range(c, sql, low, high, parameters, parameters.length);
    }

    /** Runs one ranged update; in the text come the assignment's parameters, the bounds, then the condition's. */
    private static long range(Connection c, String sql, UUID low, UUID high, Object[] parameters, int assignmentParameters)
            throws SQLException {
        List<Object> inOrder = new ArrayList<>(Arrays.asList(parameters).subList(0, assignmentParameters));
        if (low != null) {
            inOrder.add(low);
        }
        if (high != null) {
            inOrder.add(high);
        }
        inOrder.addAll(Arrays.asList(parameters).subList(assignmentParameters, parameters.length));
        return Statements.update(c, sql, inOrder.toArray());
    }

    /** How many rows a table holds: PostgreSQL's estimate where it has one, else counted. */
    private static long rows(Connection c, String table) throws SQLException {
        long estimate = estimate(c, table);
        if (estimate > 0) {
            return estimate;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Adds every {@link #BATCH}-th id, in order, to {@code bounds}: the upper bounds of the batches,
     * found in one index-only pass, which also counts the rows (the last one's number).
     *
     * @return how many rows the table holds
     */
    private static long bounds(Connection c, String table, List<UUID> bounds) throws SQLException {
        long rows = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, n FROM (SELECT id,"
                + " row_number() OVER w AS n, lead(id) OVER w IS NULL AS last FROM " + table + " WINDOW w AS"
                + " (ORDER BY id)) x WHERE n % " + BATCH + " = 0 OR last ORDER BY id")) {
            while (rs.next()) {
                rows = rs.getLong(2);
                if (rows % BATCH == 0) {
                    bounds.add((UUID) rs.getObject(1));
                }
            }
        }
        return rows;
    }

    /** How many {@code ?} placeholders a piece of SQL has, outside quotes. */
    private static int count(String sql) {
        int n = 0;
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (ch == '?' && !quoted) {
                n++;
            }
        }
        return n;
    }

    static long rewrite(Connection c, String table, UnaryOperator<StoredSample> change, Feedback feedback, String what)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE cairn_rewrite (id uuid, filepath text, tags text[], metadata jsonb, fields jsonb)"
                    + " ON COMMIT DROP");
            s.execute("DECLARE cairn_samples NO SCROLL CURSOR FOR SELECT id, filepath, tags, metadata, fields FROM "
                    + table + " ORDER BY id");
        }
        long seen = 0;
        PGConnection pg = c.unwrap(PGConnection.class);
        try (Feedback.Progress progress = feedback.start(what, estimate(c, table), "samples");
             PreparedStatement fetch = c.prepareStatement("FETCH " + FETCH + " FROM cairn_samples")) {
            StringBuilder buffer = new StringBuilder(1 << 16);
            while (true) {
                buffer.setLength(0);
                int rows = 0;
                try (ResultSet rs = fetch.executeQuery()) {
                    while (rs.next()) {
                        StoredSample before = new StoredSample(rs.getString(1), rs.getString(2),
                                DatasetTable.strings(rs.getArray(3)), rs.getString(4), rs.getString(5));
                        StoredSample after = change.apply(before);
                        if (after == null || !after.id().equals(before.id())) {
                            throw new IllegalStateException("a revision's rewrite must return each sample, with its id");
                        }
                        CopyText.row(buffer, after.id(), after.filepath(), after.tags(), after.metadata(),
                                after.fields());
                        rows++;
                    }
                }
                if (rows == 0) {
                    break;
                }
                byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
                CopyIn copy = pg.getCopyAPI().copyIn("COPY cairn_rewrite FROM STDIN");
                copy.writeToCopy(bytes, 0, bytes.length);
                copy.endCopy();
                seen += rows;
                progress.advance(rows);
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("CLOSE cairn_samples");
            int changed = s.executeUpdate("UPDATE " + table + " t SET filepath = r.filepath, tags = r.tags,"
                    + " metadata = r.metadata, fields = r.fields FROM cairn_rewrite r WHERE t.id = r.id"
                    + " AND (t.filepath, t.tags, t.metadata, t.fields) IS DISTINCT FROM (r.filepath, r.tags, r.metadata, r.fields)");
            s.execute("DROP TABLE cairn_rewrite");
            return changed;
        }
    }
}
