package dev.cairn.store;

import dev.cairn.api.Feedback;
import dev.cairn.api.Revision;
import dev.cairn.api.RevisionContext;

import java.sql.Connection;

/** What a revision works on: the migrating transaction, and for a dataset revision its tables. */
public record DatasetContext(Connection connection, Revision.Scope scope, long datasetId, Feedback feedback)
        implements RevisionContext {

    public static DatasetContext database(Connection c, Feedback feedback) {
        return new DatasetContext(c, Revision.Scope.DATABASE, -1, feedback);
    }

    public static DatasetContext dataset(Connection c, long datasetId, Feedback feedback) {
        return new DatasetContext(c, Revision.Scope.DATASET, datasetId, feedback);
    }

    @Override
    public long datasetId() {
        requireDataset();
        return datasetId;
    }

    @Override
    public String sampleTable() {
        requireDataset();
        return SampleTable.name(datasetId);
    }

    @Override
    public String scratchTable(String suffix) {
        requireDataset();
        return SampleTable.scratchName(datasetId, suffix);
    }

    @Override
    public long updateSamples(String assignment, String condition, Object... parameters) throws java.sql.SQLException {
        requireDataset();
        return SampleRewrites.update(connection, sampleTable(), assignment, condition, parameters, feedback,
                "migrating samples");
    }

    @Override
    public long rewriteSamples(java.util.function.UnaryOperator<dev.cairn.api.StoredSample> change)
            throws java.sql.SQLException {
        requireDataset();
        return SampleRewrites.rewrite(connection, sampleTable(), change, feedback, "rewriting samples");
    }

    private void requireDataset() {
        if (scope != Revision.Scope.DATASET) {
            throw new IllegalStateException("a database revision has no dataset");
        }
    }
}
