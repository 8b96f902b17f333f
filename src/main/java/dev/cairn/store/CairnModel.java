package dev.cairn.store;

import dev.cairn.api.DataModel;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;

import java.util.List;

/**
 * Cairn's data model as this release ships it: every revision of its tables, and the release
 * table that maps every release ever made to its data model version.
 */
public final class CairnModel {

    private static final String FIRST = "0.1.0 is the first data model; there is nothing older to go down to";

    private static final List<Revision> REVISIONS = List.of(
            Revision.database("0.1.0", "baseline: the directory of datasets (cairn.datasets)")
                    .compatible(true)
                    .up(ctx -> DatasetTable.create(ctx.connection()))
                    .irreversible(FIRST)
                    .build(),
            Revision.dataset("0.1.0", "baseline: one sample table a dataset (id, filepath, tags, metadata, fields)")
                    .compatible(true)
                    .up(ctx -> SampleTable.createBaseline(ctx.connection(), ctx.datasetId()))
                    .irreversible(FIRST)
                    .build());

    private static final List<Release> RELEASES = List.of(
            Release.of("0.1.0", "0.1.0"));

    private static final DataModel SHIPPED = DataModel.of(REVISIONS, RELEASES);

    private CairnModel() {
    }

    /** The data model of this release: every revision and release up to it. */
    public static DataModel shipped() {
        return SHIPPED;
    }
}
