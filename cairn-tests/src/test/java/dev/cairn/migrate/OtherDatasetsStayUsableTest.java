package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.Feedback;
import dev.cairn.api.FieldType;
import dev.cairn.api.Filter;
import dev.cairn.api.Query;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationInfo;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.api.migration.StepResult;
import dev.cairn.model.CairnModel;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 7: while one dataset migrates, every other dataset stays usable.
 *
 * <p>The migration is made long on purpose: a data model of this test's adds a compatible
 * dataset revision 0.9.0 whose {@code up} sleeps {@value #SLEEP_SECONDS} s in datasets whose
 * name starts with "slow" (and does nothing in the others). While it runs, other datasets are
 * listed, loaded, counted, read, streamed, exported, written (samples added, updated, deleted,
 * a field added), created, cloned, renamed and deleted, by clients of this data model and of
 * release 0.4.0, each operation within {@value #QUICK_MILLIS} ms; the migrating dataset's own
 * readers and writers wait for it rather than fail, then see it at 0.9.0; and the migration
 * completes.
 */
class OtherDatasetsStayUsableTest {

    private static final int SLEEP_SECONDS = 6;
    private static final long QUICK_MILLIS = 2000;
    private static final Version V090 = Version.parse("0.9.0");

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() throws Exception {
        threads.shutdownNow();
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** This release's data model as of 0.4.0, plus the slow, compatible dataset revision 0.9.0. */
    static DataModel slowModel() {
        DataModel base = CairnModel.shipped().asOfRelease(Version.parse("0.4.0"));
        Revision slow = Revision.dataset("0.9.0", "sleeps in datasets whose name starts with 'slow'")
                .compatible(true)
                .up(ctx -> {
                    String name;
                    try (PreparedStatement ps = ctx.connection().prepareStatement(
                            "SELECT name FROM cairn.datasets WHERE id = ?")) {
                        ps.setLong(1, ctx.datasetId());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            name = rs.getString(1);
                        }
                    }
                    if (name.startsWith("slow")) {
                        try (PreparedStatement ps = ctx.connection().prepareStatement("SELECT pg_sleep(?)")) {
                            ps.setInt(1, SLEEP_SECONDS);
                            ps.execute();
                        }
                    }
                })
                .down(ctx -> {
                })
                .build();
        List<Revision> revisions = new ArrayList<>(base.revisions());
        revisions.add(slow);
        List<Release> releases = new ArrayList<>(base.releases());
        releases.add(Release.of("0.9.0", "0.9.0"));
        return DataModel.of(revisions, releases);
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private static List<Sample> samples(String prefix, int n) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Sample.of(prefix + i + ".jpg").withTags(i % 2 == 0 ? "train" : "val").with("n", (long) i));
        }
        return out;
    }

    /** Operations on other datasets, each timed: all must be quick. */
    private final Map<String, Long> took = new LinkedHashMap<>();

    private <T> T quickly(String what, Callable<T> op) throws Exception {
        long start = System.nanoTime();
        T result = op.call();
        took.put(what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return result;
    }

    private void quicklyRun(String what, Runnable op) throws Exception {
        quickly(what, () -> {
            op.run();
            return null;
        });
    }

    /** Waits until the slow revision is sleeping in the database, holding the migrating dataset's locks. */
    private static void awaitSleeping(CairnConfig config) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String n = Queries.query(config, c -> Queries.string(c, "SELECT count(*) FROM pg_stat_activity WHERE"
                    + " datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep%'"));
            if (!n.equals("0")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the slow migration did not begin within 60 s");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void whileOneDatasetMigratesEveryOtherDatasetStaysReadableAndWritable() throws Exception {
        CairnConfig config = Backend.fresh();
        DataModel model = slowModel();
        List<Sample> a = samples("/data/a/", 200);
        List<Sample> b = samples("/data/b/", 200);
        List<Sample> slow = samples("/data/slow/", 200);
        try (Cairn setup = Cairn.open(config)) {
            setup.create("a").addAll(a);
            setup.create("b").addAll(b);
            setup.create("slow one").addAll(slow);
            setup.create("to delete").addAll(samples("/data/d/", 10));
        }
        Migrations admin = keep(Migrations.open(config, model, Feedback.NONE));
        assertThat(admin.migrate(MigrationRequest.database().to(V090)).complete()).isTrue();
        assertThat(admin.migrate(MigrationRequest.named("a", "b", "to delete").to(V090)).complete()).isTrue();

        Cairn current = keep(Cairn.open(config.toBuilder().admin(false).build(), model, Feedback.NONE));
        Cairn older = keep(Cairn.open(config.toBuilder().clientRelease("0.4.0").admin(false).build()));
        Dataset slowByOlder = older.dataset("slow one");
        assertThat(slowByOlder.info().version()).hasToString("0.4.0");

        Migrations migrator = keep(Migrations.open(config, model, Feedback.NONE));
        long migrationStart = System.nanoTime();
        Future<MigrationResult> migration = threads.submit(() -> migrator.migrate(MigrationRequest.named("slow one").to(V090)));
        awaitSleeping(config);

        // the migrating dataset's own users wait for it
        Future<Long> waitingReader = threads.submit(() -> slowByOlder.count(Filter.filepathStartsWith("/data/")));
        Future<DatasetInfo> waitingLoader = threads.submit(() -> current.dataset("slow one").info());
        Sample late = Sample.of("/late/one.jpg").with("n", 1000L);
        Future<Sample> waitingWriter = threads.submit(() -> slowByOlder.add(late));
        Thread.sleep(200);

        // every other dataset is usable meanwhile, by a client of the new data model and one of 0.4.0
        List<DatasetInfo> listed = quickly("list the datasets", current::datasets);
        assertThat(listed).extracting(DatasetInfo::name).containsExactly("a", "b", "slow one", "to delete");
        Dataset da = quickly("load a", () -> current.dataset("a"));
        assertThat(quickly("count a", () -> da.count())).isEqualTo(200L);
        assertThat(quickly("count a's train samples", () -> da.count(Filter.tag("train")))).isEqualTo(100L);
        assertThat(quickly("stream a", () -> Fixtures.readAll(da))).isEqualTo(Fixtures.byId(a));
        assertThat(quickly("list a, sorted and limited", () -> da.list(Query.all().sortBy("n").limit(3))))
                .extracting(Sample::filepath).containsExactly("/data/a/0.jpg", "/data/a/1.jpg", "/data/a/2.jpg");
        assertThat(quickly("get a sample of a", () -> da.get(a.get(7).id()))).isEqualTo(a.get(7));
        Sample added = Sample.of("/data/a/new.jpg").with("n", 999L);
        quicklyRun("add a sample to a", () -> da.add(added));
        quicklyRun("add 50 samples to a", () -> da.addAll(samples("/data/a/more/", 50)));
        Sample changed = a.get(3).withTags("changed").with("n", -3L);
        quicklyRun("update a sample of a", () -> da.update(changed));
        assertThat(quickly("delete a sample of a", () -> da.delete(a.get(4).id()))).isTrue();
        quicklyRun("add a field to a", () -> da.addField("score", FieldType.FLOAT));
        quicklyRun("count a's values", () -> da.countValues("tags"));
        assertThat(quickly("export a", () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return current.export("a", out);
        })).isEqualTo(250L);

        Dataset db = quickly("load b (0.4.0 client)", () -> older.dataset("b"));
        assertThat(quickly("count b (0.4.0 client)", () -> db.count())).isEqualTo(200L);
        assertThat(quickly("stream b (0.4.0 client)", () -> Fixtures.readAll(db))).isEqualTo(Fixtures.byId(b));
        quicklyRun("add a sample to b (0.4.0 client)", () -> db.add(Sample.of("/data/b/new.jpg")));
        quicklyRun("update a sample of b (0.4.0 client)", () -> db.update(b.get(1).withTags("changed")));
        assertThat(quickly("delete a sample of b (0.4.0 client)", () -> db.delete(b.get(2).id()))).isTrue();
        quicklyRun("add a field to b (0.4.0 client)", () -> db.addField("note", FieldType.STRING));

        quicklyRun("create a dataset", () -> current.create("new").add(Sample.of("/new/0.jpg")));
        quicklyRun("clone b", () -> current.clone("b", "b copy"));
        quicklyRun("rename a", () -> current.rename("a", "a renamed"));
        assertThat(quickly("delete a dataset", () -> current.delete("to delete"))).isTrue();
        try (Cairn another = quickly("open another client", () -> Cairn.open(config.toBuilder().admin(false).build(),
                model, Feedback.NONE))) {
            assertThat(quickly("count b from another client", () -> another.dataset("b copy").count())).isEqualTo(200L);
        }
        MigrationInfo info = quickly("migrate --info", admin::info);
        assertThat(info.datasets()).filteredOn(d -> d.name().equals("slow one")).singleElement()
                .satisfies(d -> assertThat(d.status()).contains("migrating now"));

        assertThat(took).as("how long each operation on other datasets took (ms)")
                .allSatisfy((op, ms) -> assertThat(ms).as(op).isLessThan(QUICK_MILLIS));
        assertThat(migration.isDone()).as("the slow migration still running when the other datasets were used"
                + " (else this test proved nothing): %s", took).isFalse();
        assertThat(Queries.datasetVersion(config, "slow one")).isEqualTo("0.4.0");
        assertThat(waitingReader.isDone()).as("a reader of the migrating dataset waits").isFalse();
        assertThat(waitingLoader.isDone()).as("a loader of the migrating dataset waits").isFalse();
        assertThat(waitingWriter.isDone()).as("a writer of the migrating dataset waits").isFalse();

        // the migration completes, and those who waited go on
        MigrationResult result = migration.get(120, TimeUnit.SECONDS);
        long migrationMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - migrationStart);
        assertThat(result.complete()).as(result.summary()).isTrue();
        assertThat(result.steps()).singleElement().satisfies(s -> assertThat(s.outcome()).isEqualTo(StepResult.Outcome.DONE));
        assertThat(migrationMillis).isGreaterThanOrEqualTo(SLEEP_SECONDS * 1000L - 500);
        assertThat(waitingReader.get(60, TimeUnit.SECONDS)).isEqualTo(200L);
        assertThat(waitingLoader.get(60, TimeUnit.SECONDS).version()).isEqualTo(V090);
        assertThat(waitingWriter.get(60, TimeUnit.SECONDS)).isEqualTo(late);
        assertThat(Queries.datasetVersion(config, "slow one")).isEqualTo("0.9.0");

        // and everything written meanwhile is there
        List<Sample> expectedSlow = new ArrayList<>(slow);
        expectedSlow.add(late);
        Fixtures.assertHolds(current, "slow one", expectedSlow);
        Map<String, Sample> expectedA = new LinkedHashMap<>(Fixtures.byId(a));
        expectedA.put(added.id(), added);
        expectedA.put(changed.id(), changed);
        expectedA.remove(a.get(4).id());
        Map<String, Sample> readA = Fixtures.readAll(current.dataset("a renamed"));
        assertThat(readA).hasSize(200 + 1 + 50 - 1).containsAllEntriesOf(expectedA);
        assertThat(current.dataset("a renamed").schema()).extracting(f -> f.name()).contains("score");
        assertThat(current.datasets()).extracting(DatasetInfo::name)
                .containsExactly("a renamed", "b", "b copy", "new", "slow one");
    }

    /**
     * While {@code cairn migrate --all} is held up by one slow dataset, the datasets it has not
     * reached yet are loaded by a client of the new data model, which upgrades them itself at
     * once (lazily) and uses them; the admin's migration then finds them done and completes.
     */
    @Test
    void whileMigrateAllIsHeldUpByOneDatasetTheOthersAreUpgradedOnLoadAndUsed() throws Exception {
        CairnConfig config = Backend.fresh();
        DataModel model = slowModel();
        List<Sample> x = samples("/data/x/", 100);
        try (Cairn setup = Cairn.open(config)) {
            setup.create("slow first").addAll(samples("/data/s/", 100));
            setup.create("x").addAll(x);
            setup.create("y").addAll(samples("/data/y/", 100));
        }
        Migrations migrator = keep(Migrations.open(config, model, Feedback.NONE));
        // one dataset at a time, so that the slow one holds the others up
        Future<MigrationResult> migration = threads.submit(() -> migrator.migrate(MigrationRequest.all().to(V090)
                .workers(1)));
        awaitSleeping(config);
        assertThat(Queries.databaseVersion(config)).isEqualTo("0.9.0");

        Cairn current = quickly("open a client", () -> Cairn.open(config.toBuilder().admin(false).build(), model,
                Feedback.NONE));
        keep(current);
        Dataset dx = quickly("load x, upgrading it", () -> current.dataset("x"));
        assertThat(quickly("x's version", () -> dx.info().version())).isEqualTo(V090);
        assertThat(quickly("stream x", () -> Fixtures.readAll(dx))).isEqualTo(Fixtures.byId(x));
        quicklyRun("add to x", () -> dx.add(Sample.of("/data/x/new.jpg")));
        Dataset dy = quickly("load y, upgrading it", () -> current.dataset("y"));
        assertThat(quickly("count y", () -> dy.count())).isEqualTo(100L);
        assertThat(took).as("how long each operation took (ms)")
                .allSatisfy((op, ms) -> assertThat(ms).as(op).isLessThan(QUICK_MILLIS));
        assertThat(migration.isDone()).as("the admin's migration still held up: %s", took).isFalse();

        MigrationResult result = migration.get(120, TimeUnit.SECONDS);
        assertThat(result.complete()).as(result.summary()).isTrue();
        assertThat(result.steps()).filteredOn(s -> s.dataset().isPresent())
                .extracting(s -> s.dataset().get() + " " + s.outcome())
                .containsExactly("slow first DONE", "x SKIPPED", "y SKIPPED");
        for (String name : List.of("slow first", "x", "y")) {
            assertThat(Queries.datasetVersion(config, name)).isEqualTo("0.9.0");
            assertThat(migrator.history(100, name)).filteredOn(h -> h.outcome().equals("ok")).singleElement()
                    .satisfies(h -> assertThat(h.to()).isEqualTo("0.9.0"));
        }
        assertThat(current.dataset("x").count()).isEqualTo(101L);
    }
}
