package dev.cairn;

import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.Classification;
import dev.cairn.api.Dataset;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.Filter;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Metadata;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.Query;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import dev.cairn.testing.OnAFreshDatabase;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetApiTest extends OnAFreshDatabase {

    private static Sample cat(int i) {
        return Sample.of("/data/img" + i + ".jpg").withTags(i % 2 == 0 ? "train" : "val")
                .withMetadata(Metadata.image(640, 480, 1000L + i, "image/jpeg"))
                .with("index", i)
                .with("score", i / 10.0)
                .with("label", Classification.of(i % 3 == 0 ? "cat" : "dog", 0.5 + i / 100.0))
                .with("boxes", Detections.of(Detection.of(i % 4 == 0 ? "person" : "car", BoundingBox.of(0.1, 0.2, 0.3, 0.4), 0.9)))
                .with("taken", Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i * 3600L))
                .with("reviewed", i % 5 == 0)
                .with("notes", List.of("a", "b" + i))
                .with("extra", Map.of("k", i, "nested", Map.of("x", List.of(1, 2.5, "s"))));
    }

    @Test
    void createsListsRenamesClonesAndDeletesDatasets() {
        cairn.create("a");
        cairn.create("b");
        assertThat(cairn.datasets()).extracting(DatasetInfo::name).containsExactly("a", "b");
        assertThatThrownBy(() -> cairn.create("a")).isInstanceOf(AlreadyExistsException.class).hasMessageContaining("'a'");

        cairn.dataset("a").addAll(List.of(cat(1), cat(2)));
        cairn.rename("a", "c");
        assertThat(cairn.exists("a")).isFalse();
        assertThat(cairn.dataset("c").count()).isEqualTo(2);
        assertThatThrownBy(() -> cairn.rename("c", "b")).isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> cairn.rename("nope", "x")).isInstanceOf(NotFoundException.class);

        Dataset copy = cairn.clone("c", "d");
        assertThat(copy.count()).isEqualTo(2);
        assertThat(copy.list(Query.all())).isEqualTo(cairn.dataset("c").list(Query.all()));
        assertThat(copy.schema()).isEqualTo(cairn.dataset("c").schema());
        copy.add(cat(3));
        assertThat(cairn.dataset("c").count()).as("a clone is independent").isEqualTo(2);

        assertThat(cairn.delete("c")).isTrue();
        assertThat(cairn.delete("c")).isFalse();
        assertThatThrownBy(() -> cairn.dataset("c")).isInstanceOf(NotFoundException.class);
        assertThat(cairn.datasets()).extracting(DatasetInfo::name).containsExactly("b", "d");
        assertThat(cairn.datasets()).filteredOn(d -> d.name().equals("d")).extracting(DatasetInfo::sampleCount).containsExactly(3L);
    }

    @Test
    void samplesRoundTripEveryFieldType() {
        Dataset d = cairn.create("types");
        Sample s = cat(7);
        Sample stored = d.add(s);
        assertThat(stored).isEqualTo(s);
        assertThat(d.get(s.id()).get("label")).isEqualTo(Classification.of("dog", 0.5 + 7 / 100.0));
        assertThat(d.get(s.id()).get("taken")).isEqualTo(Instant.parse("2024-01-01T07:00:00Z"));
        assertThat(d.get(s.id()).get("extra")).isEqualTo(Map.of("k", 7L, "nested", Map.of("x", List.of(1L, 2.5, "s"))));
        assertThat(d.schema()).extracting(Field::name)
                .containsExactly("index", "score", "label", "boxes", "taken", "reviewed", "notes", "extra");
        assertThat(d.schema()).extracting(Field::type).containsExactly(FieldType.INT, FieldType.FLOAT,
                FieldType.CLASSIFICATION, FieldType.DETECTIONS, FieldType.DATETIME, FieldType.BOOL, FieldType.LIST,
                FieldType.DICT);
    }

    @Test
    void updatesAndDeletesSamples() {
        Dataset d = cairn.create("u");
        Sample s = d.add(cat(1));
        Sample changed = s.withTags("test").with("index", 99).without("notes").withFilepath("/moved.jpg");
        d.update(changed);
        assertThat(d.get(s.id())).isEqualTo(changed);
        assertThat(d.get(s.id()).get("notes")).isNull();
        assertThatThrownBy(() -> d.update(Sample.of("/x.jpg"))).isInstanceOf(NotFoundException.class);
        assertThat(d.delete(s.id())).isTrue();
        assertThat(d.delete(s.id())).isFalse();
        assertThat(d.find(s.id())).isEmpty();
        assertThat(d.count()).isZero();
        assertThat(cairn.datasets().get(0).sampleCount()).isZero();
    }

    @Test
    void wrongTypesAreRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
        Dataset d = cairn.create("typed");
        d.addAll(List.of(cat(1), cat(2)));
        String before = Backend.checksum(config);
        List<Sample> batch = new ArrayList<>();
        for (int i = 10; i < 100; i++) {
            batch.add(cat(i));
        }
        batch.add(cat(100).with("index", "not a number"));
        assertThatThrownBy(() -> d.addAll(batch)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("field 'index'").hasMessageContaining("int").hasMessageContaining("not a number");
        assertThatThrownBy(() -> d.add(cat(3).with("label", "cat"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("field 'label'").hasMessageContaining("classification");
        assertThatThrownBy(() -> d.add(cat(3).with("score", true))).hasMessageContaining("field 'score'");
        assertThatThrownBy(() -> d.add(cat(3).with("taken", 5))).hasMessageContaining("field 'taken'");
        Sample first = d.list(Query.all()).get(0);
        assertThatThrownBy(() -> d.update(first.with("reviewed", 1))).hasMessageContaining("field 'reviewed'");
        assertThatThrownBy(() -> d.add(cat(3).with("brand_new", null))).hasMessageContaining("brand_new");
        assertThat(Backend.checksum(config)).as("nothing was written").isEqualTo(before);
        assertThat(d.count()).isEqualTo(2);
    }

    @Test
    void floatFieldsTakeWholeNumbersButIntFieldsRefuseFractions() {
        Dataset d = cairn.create("numbers");
        d.add(cat(1));
        Sample s = d.add(cat(2).with("score", 3));
        assertThat(d.get(s.id()).get("score")).isEqualTo(3.0);
        assertThatThrownBy(() -> d.add(cat(3).with("index", 2.5))).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void streamsEverySampleInTheOrderTheyWereAdded() {
        Dataset d = cairn.create("big");
        int n = 20_000;
        AtomicLong made = new AtomicLong();
        Iterator<Sample> lazy = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Sample next() {
                made.incrementAndGet();
                return Sample.of("/f/" + i).with("i", i++);
            }
        };
        assertThat(d.addAll(lazy)).isEqualTo(n);
        long[] expected = {0};
        try (Stream<Sample> all = d.stream()) {
            all.forEach(s -> assertThat(s.get("i")).isEqualTo(expected[0]++));
        }
        assertThat(expected[0]).isEqualTo(n);
        assertThat(d.count()).isEqualTo(n);
    }

    @Test
    void filtersSortsSkipsAndLimits() {
        Dataset d = cairn.create("query");
        d.addAll(IntStream.range(0, 30).mapToObj(DatasetApiTest::cat).toList());
        assertThat(d.count(Filter.tag("train"))).isEqualTo(15);
        assertThat(d.count(Filter.field("index").between(10, 19))).isEqualTo(10);
        assertThat(d.count(Filter.field("score").gt(2.5))).isEqualTo(4);
        assertThat(d.count(Filter.field("score").ge(2.5))).isEqualTo(5);
        assertThat(d.count(Filter.field("reviewed").eq(true))).isEqualTo(6);
        assertThat(d.count(Filter.field("taken").lt(Instant.parse("2024-01-01T05:00:00Z")))).isEqualTo(5);
        assertThat(d.count(Filter.label("label", "cat"))).isEqualTo(10);
        assertThat(d.count(Filter.label("label", "cat", 0.7))).isEqualTo(3);
        assertThat(d.count(Filter.label("boxes", "person"))).isEqualTo(8);
        assertThat(d.count(Filter.tag("train").and(Filter.label("label", "cat")))).isEqualTo(5);
        assertThat(d.count(Filter.tag("train").or(Filter.label("label", "cat")))).isEqualTo(20);
        assertThat(d.count(Filter.not(Filter.tag("train")))).isEqualTo(15);
        assertThat(d.count(Filter.field("index").in(1, 2, 3, 100))).isEqualTo(3);
        assertThat(d.count(Filter.filepathStartsWith("/data/img1"))).isEqualTo(11);

        List<Sample> page = d.list(Query.where(Filter.tag("val")).sortByDescending("index").skip(2).limit(3));
        assertThat(page).extracting(s -> s.get("index")).containsExactly(25L, 23L, 21L);
        assertThat(d.list(Query.all().sortBy("filepath").limit(2))).extracting(Sample::filepath)
                .containsExactly("/data/img0.jpg", "/data/img1.jpg");

        assertThatThrownBy(() -> d.count(Filter.field("nope").eq(1))).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> d.count(Filter.field("index").eq("x"))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> d.count(Filter.field("label").eq("cat"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Filter.label");
    }

    @Test
    void nullFieldsAreNeitherEqualNorUnequalButNotSelectsThem() {
        Dataset d = cairn.create("nulls");
        d.add(Sample.of("/a").with("n", 1));
        d.add(Sample.of("/b").with("n", null));
        d.add(Sample.of("/c"));
        assertThat(d.count(Filter.field("n").eq(1))).isEqualTo(1);
        assertThat(d.count(Filter.field("n").ne(1))).isEqualTo(0);
        assertThat(d.count(Filter.not(Filter.field("n").eq(1)))).isEqualTo(2);
        assertThat(d.count(Filter.field("n").exists())).isEqualTo(1);
        assertThat(d.count(Filter.field("n").isNull())).isEqualTo(2);
    }

    @Test
    void countsAndDistinctValues() {
        Dataset d = cairn.create("values");
        d.addAll(IntStream.range(0, 12).mapToObj(DatasetApiTest::cat).toList());
        assertThat(d.distinct("tags")).containsExactly("train", "val");
        assertThat(d.countValues("tags")).containsEntry("train", 6L).containsEntry("val", 6L);
        assertThat(d.countValues("label")).containsExactly(Map.entry("cat", 4L), Map.entry("dog", 8L));
        assertThat(d.countValues("boxes")).containsExactly(Map.entry("car", 9L), Map.entry("person", 3L));
        assertThat(d.distinct("reviewed")).containsExactly(false, true);
        assertThat(d.distinct("index", Filter.field("index").lt(3))).containsExactly(0L, 1L, 2L);
        assertThat(d.countValues("notes")).containsEntry("a", 12L).hasSize(13);
        assertThatThrownBy(() -> d.distinct("extra")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void addsRenamesAndDeletesFields() {
        Dataset d = cairn.create("fields");
        d.addAll(List.of(cat(1), cat(2)));
        d.addField("comment", FieldType.STRING);
        assertThatThrownBy(() -> d.addField("comment", FieldType.INT)).isInstanceOf(AlreadyExistsException.class);
        d.renameField("label", "ground_truth");
        assertThat(d.schema()).extracting(Field::name).contains("ground_truth").doesNotContain("label");
        assertThat(d.count(Filter.label("ground_truth", "dog"))).isEqualTo(2);
        assertThat(d.list(Query.all()).get(0).get("label")).isNull();
        assertThatThrownBy(() -> d.renameField("index", "score")).isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> d.renameField("nope", "x")).isInstanceOf(NotFoundException.class);
        d.deleteField("extra");
        assertThat(d.list(Query.all())).allSatisfy(s -> assertThat(s.fields()).doesNotContainKey("extra"));
        assertThat(d.schema()).extracting(Field::name).doesNotContain("extra");
        assertThatThrownBy(() -> d.renameField("index", "bad.name")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> d.addField("id", FieldType.STRING)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void datasetInfoTagsAndClasses() {
        Dataset d = cairn.create("meta");
        d.setInfo(Map.of("source", "camera 3", "year", 2024));
        d.setTags(List.of("prod", "v2"));
        d.setClasses(List.of("cat", "dog"));
        d.add(cat(1));
        DatasetInfo info = cairn.dataset("meta").info();
        assertThat(info.info()).containsEntry("source", "camera 3").containsEntry("year", 2024L);
        assertThat(info.tags()).containsExactly("prod", "v2");
        assertThat(info.classes()).containsExactly("cat", "dog");
        assertThat(info.sampleCount()).isEqualTo(1);
        assertThat(info.version()).isEqualTo(cairn.workingVersion());
        assertThat(info.lastLoaded()).isPresent();
    }

    @Test
    void aHandleFollowsRenamesAndReportsDeletion() {
        Dataset d = cairn.create("x");
        cairn.rename("x", "y");
        d.add(cat(1));
        assertThat(d.name()).isEqualTo("y");
        cairn.delete("y");
        assertThatThrownBy(d::count).isInstanceOf(NotFoundException.class).hasMessageContaining("deleted");
    }

    @Test
    void aHandleWhoseSampleTableVanishedReportsADamagedDatabaseAndWritesNothing() throws Exception {
        Dataset d = cairn.create("vanishing");
        d.add(cat(1));
        try (var raw = Backend.raw(config); var s = raw.createStatement()) {
            s.execute("DROP TABLE cairn_data.samples_" + ((dev.cairn.dataset.StoredDataset) d).id());
        }
        String before = Backend.checksum(config);
        assertThatThrownBy(() -> d.add(cat(2))).isInstanceOf(dev.cairn.api.DamagedDatabaseException.class)
                .hasMessageContaining("has no sample table");
        assertThatThrownBy(d::count).isInstanceOf(dev.cairn.api.DamagedDatabaseException.class);
        // a load reads the dataset's row alone; the first operation on the samples finds the damage
        assertThatThrownBy(() -> cairn.dataset("vanishing").count()).isInstanceOf(dev.cairn.api.DamagedDatabaseException.class)
                .hasMessageContaining("has no sample table");
        assertThat(Backend.checksum(config)).isEqualTo(before);
    }

    @Test
    void duplicateSampleIdsAreRefusedAndTheBatchIsNotAdded() {
        Dataset d = cairn.create("dups");
        Sample s = d.add(cat(1));
        assertThatThrownBy(() -> d.addAll(List.of(cat(2), s))).isInstanceOf(AlreadyExistsException.class)
                .hasMessageContaining("no sample of this batch was added");
        assertThat(d.count()).isEqualTo(1);
    }
}
