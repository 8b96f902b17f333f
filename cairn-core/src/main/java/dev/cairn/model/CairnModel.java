package dev.cairn.model;

import dev.cairn.api.Build;
import dev.cairn.api.DataModel;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Version;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.ViewTable;

import java.util.List;

/**
 * Cairn's data model as this release ships it: every revision of its tables, and the release
 * table ({@code releases.tsv}) that maps every release ever cut to its data model version and
 * commit, with this build's own release last.
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
                    .up(ctx -> SampleRevisions.run(ctx.connection(), ctx.datasetId(), SampleRevisions.BASELINE))
                    .upSql(SampleRevisions.BASELINE)
                    .irreversible(FIRST)
                    .build(),
            Revision.dataset("0.2.0", "samples gain created_at and last_modified_at, the latter kept by a trigger")
                    .compatible(true)
                    .up(ctx -> SampleRevisions.run(ctx.connection(), ctx.datasetId(), SampleRevisions.TIMESTAMPS))
                    .upSql(SampleRevisions.TIMESTAMPS)
                    .down(ctx -> SampleRevisions.dropTimestamps(ctx.connection(), ctx.datasetId()))
                    .downNote("samples lose their creation and modification times")
                    .build(),
            Revision.database("0.3.0", "saved views: named queries kept with each dataset (cairn.saved_views)")
                    .compatible(true)
                    .up(ctx -> ViewTable.create(ctx.connection()))
                    .down(ctx -> ViewTable.drop(ctx.connection()))
                    .downNote("every saved view is deleted")
                    .build(),
            Revision.dataset("0.4.0", "detection boxes are stored as corners [x1, y1, x2, y2] instead of [x, y, w, h]")
                    .compatible(false)
                    .up(ctx -> convertBoxes(ctx, true))
                    .upSql(SampleRevisions.BOXES_TO_CORNERS)
                    .down(ctx -> convertBoxes(ctx, false))
                    .build());

    /** The release table (releases.tsv) and this build's own release, which may not be recorded yet. */
    private static final List<Release> RELEASES = ReleaseTable.withThisBuild(ReleaseTable.recorded(),
            Version.parse(Build.release(), "this build's release"),
            REVISIONS.stream().map(Revision::version).max(Version::compareTo).orElseThrow());

    private static final DataModel SHIPPED = DataModel.of(REVISIONS, RELEASES);

    private CairnModel() {
    }

    /** Revision 0.4.0: every detections field of the dataset, one set-based statement each. */
    private static void convertBoxes(dev.cairn.api.RevisionContext ctx, boolean toCorners) throws java.sql.SQLException {
        DatasetRecord d = DatasetTable.byId(ctx.connection(), ctx.datasetId()).orElseThrow();
        for (dev.cairn.api.Field f : d.fields()) {
            if (f.type().kind() == dev.cairn.api.FieldType.Kind.DETECTIONS) {
                SampleRevisions.convertBoxes(ctx, f.name(), toCorners);
            }
        }
    }

    /** The data model of this release: every revision and release up to it. */
    public static DataModel shipped() {
        return SHIPPED;
    }
}
