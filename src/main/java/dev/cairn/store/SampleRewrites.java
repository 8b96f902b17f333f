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
        try (PreparedStatement ps = c.prepareStatement("SELECT greatest(reltuples, 0)::bigint FROM pg_class"
                + " WHERE oid = ?::regclass")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    static long update(Connection c, String table, String assignment, String condition, Object[] parameters,
                       Feedback feedback, String what) throws SQLException {
        int assignmentParameters = count(assignment);
        if (assignmentParameters + count(condition == null ? "" : condition) != parameters.length) {
            throw new IllegalArgumentException("the assignment and condition take " + (assignmentParameters
                    + count(condition == null ? "" : condition)) + " parameters, not " + parameters.length);
        }
        String filter = condition == null ? "" : " AND (" + condition + ")";
        String first = batchSql(table, assignment, filter, "true");
        String next = batchSql(table, assignment, filter, "id > ?");
        long changed = 0;
        try (Feedback.Progress progress = feedback.start(what, estimate(c, table), "samples");
             PreparedStatement start = c.prepareStatement(first);
             PreparedStatement more = c.prepareStatement(next)) {
            UUID after = null;
            while (true) {
                PreparedStatement ps = after == null ? start : more;
                int i = 1;
                if (after != null) {
                    ps.setObject(i++, after);
                }
                for (int p = 0; p < assignmentParameters; p++) {
                    ps.setObject(i++, parameters[p]);
                }
                for (int p = assignmentParameters; p < parameters.length; p++) {
                    ps.setObject(i++, parameters[p]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long seen = rs.getLong(2);
                    changed += rs.getLong(3);
                    progress.advance(seen);
                    if (seen < BATCH) {
                        return changed;
                    }
                    after = (UUID) rs.getObject(1);
                }
            }
        }
    }

    /**
     * One batch: the next rows in id order, changed with the assignment where the condition
     * holds; answers the batch's last id, its size, and how many rows changed. In the text, the
     * batch's bound comes first, then the assignment's parameters, then the condition's.
     */
    private static String batchSql(String table, String assignment, String filter, String bound) {
        return "WITH batch AS MATERIALIZED (SELECT id FROM " + table + " WHERE " + bound + " ORDER BY id LIMIT " + BATCH
                + "), changed AS (UPDATE " + table + " SET " + assignment + " FROM batch WHERE " + table + ".id = batch.id"
                + filter + " RETURNING 1) SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1),"
                + " (SELECT count(*) FROM batch), (SELECT count(*) FROM changed)";
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
                        CopyText.field(buffer, after.id());
                        buffer.append('\t');
                        CopyText.field(buffer, after.filepath());
                        buffer.append('\t');
                        CopyText.textArray(buffer, after.tags());
                        buffer.append('\t');
                        CopyText.field(buffer, after.metadata());
                        buffer.append('\t');
                        CopyText.field(buffer, after.fields());
                        buffer.append('\n');
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
