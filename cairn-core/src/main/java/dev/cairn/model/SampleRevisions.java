package dev.cairn.model;

import dev.cairn.api.RevisionContext;
import dev.cairn.store.Access;
import dev.cairn.store.SampleTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The SQL of the dataset revisions in {@link CairnModel}: what each one does to a dataset's sample
 * table, up and down. Statements written as lists run both from a client and in the database (a
 * regular user's lazy upgrade runs them through {@link Access}'s checked path): {@code {table}} is
 * the sample table, {@code {dataset}} the dataset's id.
 */
final class SampleRevisions {

    private static final String TABLE = Access.TABLE;
    private static final String DATASET = Access.DATASET;

    private SampleRevisions() {
    }

    /**
     * The baseline sample table, as SQL that runs both from a client and in the database (see
     * {@link Access}): {@code {table}} is the sample table, {@code {dataset}} the dataset's id.
     */
    static final List<String> BASELINE = List.of("CREATE TABLE " + TABLE + " ("
            + " id uuid PRIMARY KEY,"
            + " filepath text NOT NULL,"
            + " tags text[] NOT NULL DEFAULT '{}',"
            + " metadata jsonb,"
            + " fields jsonb NOT NULL DEFAULT '{}')");

    /** Revision 0.2.0 up: samples gain creation and last-modification times, the latter kept by a trigger. */
    static final List<String> TIMESTAMPS = List.of(
            // no default while adding: samples stored before 0.2.0 have no known creation time
            "ALTER TABLE " + TABLE + " ADD COLUMN created_at timestamptz, ADD COLUMN last_modified_at timestamptz",
            "ALTER TABLE " + TABLE + " ALTER COLUMN created_at SET DEFAULT now(),"
                    + " ALTER COLUMN last_modified_at SET DEFAULT now()",
            // a migration rewrites how samples are stored, not what they hold: it does not count as a change
            "CREATE FUNCTION cairn_data.\"samples_" + DATASET + "_touch\"() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                    + " IF current_setting('" + SampleTable.MIGRATING + "', true) IS DISTINCT FROM 'on' THEN"
                    + " NEW.last_modified_at := now(); END IF; RETURN NEW; END$$",
            "CREATE TRIGGER touch BEFORE UPDATE ON " + TABLE + " FOR EACH ROW EXECUTE FUNCTION cairn_data.\"samples_"
                    + DATASET + "_touch\"()");

    /** Runs SQL of a revision's (see {@link #BASELINE}) on one dataset's sample table. */
    static void run(Connection c, long datasetId, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql.replace(TABLE, SampleTable.name(datasetId)).replace(DATASET, Long.toString(datasetId)));
            }
        }
    }

    /** Revision 0.2.0 down. */
    static void dropTimestamps(Connection c, long datasetId) throws SQLException {
        String t = SampleTable.name(datasetId);
        try (Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER touch ON " + t);
            s.execute("DROP FUNCTION cairn_data.\"samples_" + datasetId + "_touch\"()");
            s.execute("ALTER TABLE " + t + " DROP COLUMN created_at, DROP COLUMN last_modified_at");
        }
    }

    /**
     * Revision 0.4.0: rewrites the boxes of one detections field between {@code [x, y, w, h]} and
     * corners {@code [x1, y1, x2, y2]}, set-based, in exact decimal arithmetic so that going there
     * and back gives the very same numbers, and only in samples that hold boxes.
     */
    static void convertBoxes(RevisionContext ctx, String field, boolean toCorners) throws SQLException {
        ctx.updateSamples(boxAssignment(toCorners), BOX_CONDITION, field, field, field, field);
    }

    private static final String BOX_CONDITION = "jsonb_typeof(fields -> ? -> 'detections') = 'array'"
            + " AND jsonb_array_length(fields -> ? -> 'detections') > 0";

    /** The assignment that converts one detections field's boxes; its two parameters are the field's name. */
    private static String boxAssignment(boolean toCorners) {
        String x = "(d -> 'bounding_box' ->> 0)::numeric";
        String y = "(d -> 'bounding_box' ->> 1)::numeric";
        String third = "(d -> 'bounding_box' ->> 2)::numeric";
        String fourth = "(d -> 'bounding_box' ->> 3)::numeric";
        // trim_scale: numbers are stored without trailing zeros, and sums and differences stay so
        String box = toCorners
                ? "jsonb_build_array(" + x + ", " + y + ", trim_scale(" + x + " + " + third + "), trim_scale(" + y + " + "
                + fourth + "))"
                : "jsonb_build_array(" + x + ", " + y + ", trim_scale(" + third + " - " + x + "), trim_scale(" + fourth
                + " - " + y + "))";
        return "fields = jsonb_set(fields, ARRAY[?, 'detections'],"
                + " (SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(d -> 'bounding_box') = 'array'"
                + " AND jsonb_array_length(d -> 'bounding_box') = 4"
                + " THEN jsonb_set(d, '{bounding_box}', " + box + ") ELSE d END ORDER BY o), '[]'::jsonb)"
                + " FROM jsonb_array_elements(fields -> ? -> 'detections') WITH ORDINALITY AS e(d, o)))";
    }

    /**
     * Revision 0.4.0 up as SQL that runs in the database (see {@link Access}): the same statement
     * as {@link #convertBoxes}, once for every detections field of the dataset, in one go.
     */
    static final List<String> BOXES_TO_CORNERS = List.of("DO $revision$ DECLARE f text; BEGIN"
            + " PERFORM set_config('" + SampleTable.MIGRATING + "', 'on', true);"
            + " FOR f IN SELECT e ->> 'name' FROM cairn.datasets d CROSS JOIN LATERAL jsonb_array_elements(d.fields) e"
            + " WHERE d.id = " + DATASET + " AND e ->> 'type' = 'detections' LOOP"
            + " EXECUTE format(" + literal("UPDATE " + TABLE + " SET " + boxAssignment(true).replace("?", "%1$L")
            + " WHERE " + BOX_CONDITION.replace("?", "%1$L")) + ", f);"
            + " END LOOP; END $revision$");

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
