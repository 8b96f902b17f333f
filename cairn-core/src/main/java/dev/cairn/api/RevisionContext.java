package dev.cairn.api;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

/** What a revision's {@code up} or {@code down} works on. */
public interface RevisionContext {

    /** The connection of the migrating transaction; never commit or roll back on it. */
    Connection connection();

    Revision.Scope scope();

    /** The dataset being migrated, for dataset revisions. */
    long datasetId();

    /**
     * The dataset's sample table, schema-qualified and quoted, ready to put into SQL: it is
     * built from the dataset's numeric id, never from its name.
     */
    String sampleTable();

    /** A table name beside the sample table, for revisions that rebuild it and swap it in. */
    String scratchTable(String suffix);

    /** Where long revisions report progress. */
    Feedback feedback();

    /**
     * Changes every sample with one SQL assignment, such as
     * {@code fields = (fields - 'old') || jsonb_build_object('new', fields -> 'old')}: set-based,
     * in batches of rows taken in id order within this transaction, reporting progress. The
     * assignment and condition are SQL written by the revision; values go in as parameters
     * ({@code ?}), bound first those of the assignment, then those of the condition.
     *
     * @param condition which samples to change (SQL over the sample table's columns), or {@code null} for all
     * @return how many samples were changed
     */
    long updateSamples(String assignment, String condition, Object... parameters) throws SQLException;

    /**
     * Changes every sample in Java, for what SQL cannot say: streams the samples from a
     * server-side cursor, passes each through {@code change}, copies what comes out into a
     * scratch table in bulk, and writes the changed samples back in one statement, all within
     * this transaction. Memory stays flat, whatever the dataset's size.
     *
     * @return how many samples were changed
     */
    long rewriteSamples(UnaryOperator<StoredSample> change) throws SQLException;
}
