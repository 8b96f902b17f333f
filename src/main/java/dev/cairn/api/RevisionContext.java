package dev.cairn.api;

import java.sql.Connection;

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
}
