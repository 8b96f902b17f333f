package dev.cairn;

import dev.cairn.api.BoundingBox;
import dev.cairn.api.Build;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Feedback;
import dev.cairn.api.Filter;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.Query;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.model.CairnModel;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each shipped revision brings, as users see it, and the release table that maps them. */
class RevisionFeaturesTest {

    @Test
    void theReleaseTableListsTheReleasesCutThenThisBuildsRelease() {
        DataModel m = CairnModel.shipped();
        assertThat(m.release().toString()).isEqualTo(Build.release());
        assertThat(m.releases()).filteredOn(Release::recorded)
                .extracting(r -> r.release() + "=" + r.dataModel() + "@" + r.commit().orElseThrow().substring(0, 7))
                .containsExactly("0.1.0=0.1.0@24fe430", "0.4.0=0.4.0@7d40059", "0.5.0=0.4.0@8492aab");
        Release own = m.releases().get(m.releases().size() - 1);
        assertThat(own.dataModel()).as("this build works at its newest revision").isEqualTo(m.versions().get(m.versions().size() - 1));
        assertThat(m.releases()).as("only this build's release may lack its commit")
                .filteredOn(r -> !r.recorded()).allMatch(r -> r == own);
        assertThat(m.revisions()).filteredOn(r -> r.version().isAfter(m.baseline()))
                .extracting(r -> r.version() + " " + r.scope().text() + " " + (r.compatible() ? "compatible" : "incompatible"))
                .startsWith("0.2.0 dataset compatible", "0.3.0 database compatible", "0.4.0 dataset incompatible");
        DataModel old = m.asOfRelease(Version.parse("0.1.0"));
        assertThat(old.version()).isEqualTo(Version.parse("0.1.0"));
        assertThat(old.releases()).extracting(Release::release).containsExactly(Version.parse("0.1.0"));
        assertThat(m.oldestAccepting(Version.parse("0.4.0"), null)).isEqualTo(Version.parse("0.4.0"));
        assertThat(m.newestReleaseWorkingAt(Version.parse("0.3.0"))).as("0.2.0 and 0.3.0 are compatible")
                .map(Release::release).contains(Version.parse("0.1.0"));
        assertThatThrownBy(() -> m.asOfRelease(Version.parse("0.2.1"))).as("never cut").isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> m.asOfRelease(Version.parse("0.3.0"))).as("never cut").isInstanceOf(NotFoundException.class);
    }

    @Test
    void aBuildBetweenReleasesKnowsItsDataModelAndTheReleasesBeforeIt() {
        DataModel m = CairnModel.shipped();
        DataModel between = m.asOfDataModel(Version.parse("0.3.0"));
        assertThat(between.version()).isEqualTo(Version.parse("0.3.0"));
        assertThat(between.release()).isEqualTo(Version.parse("0.3.0"));
        assertThat(between.versions()).extracting(Version::toString).containsExactly("0.1.0", "0.2.0", "0.3.0");
        assertThat(between.releases()).extracting(r -> r.release() + (r.recorded() ? "" : " unrecorded"))
                .containsExactly("0.1.0", "0.3.0 unrecorded");
        assertThat(between.oldestAccepting(Version.parse("0.3.0"), null)).isEqualTo(Version.parse("0.1.0"));
        DataModel atRelease = m.asOfDataModel(Version.parse("0.1.0"));
        assertThat(atRelease.releases()).isEqualTo(m.asOfRelease(Version.parse("0.1.0")).releases());
        assertThatThrownBy(() -> m.asOfDataModel(Version.parse("0.2.1"))).isInstanceOf(NotFoundException.class);
        assertThat(Cairn.dataModel(CairnConfig.builder().clientRelease("0.2.0").build()).version())
                .as("CAIRN_CLIENT_RELEASE takes a data model version no release was cut at").isEqualTo(Version.parse("0.2.0"));
    }

    @Test
    void aDataModelThatContradictsItselfIsRejected() {
        Revision base = CairnModel.shipped().revisions().get(0);
        assertThatThrownBy(() -> DataModel.of(List.of(base), List.of(Release.of("0.1.0", "0.2.0"))))
                .hasMessageContaining("no revision");
        assertThatThrownBy(() -> Revision.dataset("0.5.0", "x").up(c -> { }).down(c -> { }).build())
                .hasMessageContaining("compatible");
        assertThatThrownBy(() -> Revision.dataset("0.5.0", "x").compatible(true).up(c -> { }).build())
                .hasMessageContaining("down");
    }

    @Test
    void samplesCarryTheirTimesFromDataModel020() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn old = Cairn.open(config.toBuilder().clientRelease("0.1.0").build())) {
            old.create("d").add(Sample.of("/before"));
        }
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            m.migrate(MigrationRequest.database());
        }
        try (Cairn cairn = Cairn.open(config)) {
            Dataset d = cairn.dataset("d");
            Sample before = d.list(Query.all()).get(0);
            assertThat(before.createdAt()).as("made before 0.2.0: unknown").isEmpty();
            Instant start = Instant.now().minusSeconds(5);
            Sample made = d.add(Sample.of("/after"));
            assertThat(made.createdAt().orElseThrow()).isAfter(start);
            Thread.sleep(20);
            d.update(made.withTags("changed"));
            Sample changed = d.get(made.id());
            assertThat(changed.lastModifiedAt().orElseThrow()).isAfter(made.lastModifiedAt().orElseThrow());
            assertThat(changed.createdAt()).isEqualTo(made.createdAt());
            assertThat(changed).as("times are not content").isEqualTo(made.withTags("changed"));
        }
    }

    @Test
    void savedViewsFromDataModel030() {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config)) {
            Dataset d = cairn.create("d");
            d.addAll(List.of(Sample.of("/a").withTags("train").with("n", 1), Sample.of("/b").with("n", 5),
                    Sample.of("/c").withTags("train").with("n", 9).with("t", Instant.parse("2024-01-01T00:00:00Z"))));
            Query q = Query.where(Filter.tag("train").and(Filter.field("n").between(0, 5)
                    .or(Filter.field("t").lt(Instant.parse("2025-01-01T00:00:00Z"))))).sortByDescending("n").limit(10);
            d.saveView("train small", q);
            assertThat(d.view("train small")).contains(q);
            assertThat(d.list(d.view("train small").orElseThrow())).extracting(Sample::filepath).containsExactly("/c", "/a");
            d.saveView("train small", Query.all());
            assertThat(d.views()).containsOnlyKeys("train small").containsEntry("train small", Query.all());
            assertThatThrownBy(() -> d.saveView("bad", Query.where(Filter.field("missing").eq(1))))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> d.saveView("", Query.all())).isInstanceOf(InvalidInputException.class);
            Dataset copy = cairn.clone("d", "e");
            assertThat(copy.views()).containsOnlyKeys("train small");
            assertThat(d.deleteView("train small")).isTrue();
            assertThat(d.deleteView("train small")).isFalse();
            assertThat(d.view("train small")).isEmpty();
            cairn.delete("e");
        }
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            m.migrate(MigrationRequest.all().to(Version.parse("0.3.0")));
        }
        try (Cairn old = Cairn.open(config.toBuilder().clientRelease("0.2.0").build())) {
            assertThatThrownBy(() -> old.dataset("d").views()).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("release 0.2.0").hasMessageContaining("0.3.0");
        }
    }

    @Test
    void boxesAreStoredAsCornersFromDataModel040AndComeBackExactly() throws Exception {
        CairnConfig config = Backend.fresh();
        double[][] boxes = {{0.1, 0.2, 0.2, 0.3}, {0.30000000000000004, 1e-7, 0.6999999999999999, 0.123456789012345678},
                {0, 0, 1, 1}, {0.33333333333333331, 0.6666666666666666, 0.1, 0.0}};
        Detections value = new Detections(java.util.Arrays.stream(boxes)
                .map(b -> new Detection("x", BoundingBox.of(b[0], b[1], b[2], b[3]), 0.5, Map.of("k", 1))).toList());
        String id;
        try (Cairn cairn = Cairn.open(config)) {
            Dataset d = cairn.create("d");
            id = d.add(Sample.of("/a").with("gt", value)).id();
            assertThat(d.get(id).get("gt")).isEqualTo(value);
        }
        assertThat(storedBox(config)).as("corners, summed exactly").isEqualTo("[0.1, 0.2, 0.3, 0.5]");
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            m.migrate(MigrationRequest.all().to(Version.parse("0.3.0")));
        }
        assertThat(storedBox(config)).as("back to x, y, w, h").isEqualTo("[0.1, 0.2, 0.2, 0.3]");
        try (Cairn older = Cairn.open(config.toBuilder().clientRelease("0.3.0").build())) {
            assertThat(older.dataset("d").get(id).get("gt")).isEqualTo(value);
        }
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            m.migrate(MigrationRequest.all());
        }
        try (Cairn cairn = Cairn.open(config)) {
            assertThat(cairn.dataset("d").get(id).get("gt")).isEqualTo(value);
        }
    }

    /** The first box of the only sample, as stored. */
    private static String storedBox(CairnConfig config) {
        return Queries.query(config, c -> Queries.string(c, "SELECT fields -> 'gt' -> 'detections' -> 0"
                + " -> 'bounding_box' FROM cairn_data.samples_1"));
    }
}
