package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Feedback;
import dev.cairn.api.Field;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.RevisionContext;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.api.migration.StepResult;
import dev.cairn.migrate.SampleArbitraries.DatasetSpec;
import dev.cairn.model.CairnModel;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Json;
import dev.cairn.testing.Queries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import org.assertj.core.api.SoftAssertions;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Invariant 5: for every reversible revision, {@code down(up(d))} equals {@code d} for any
 * dataset {@code d}, byte for byte in the database and sample for sample through the API; and
 * an irreversible revision refuses to go down, before changing anything, and says why.
 *
 * <p>Each property builds random datasets (see {@link SampleArbitraries}) at the version just
 * below the revision, with the client of a release of that version, and moves them up through
 * the revision and back down with {@link Migrations}, as an admin would. Where the other
 * direction means something it is checked too ({@code up(down(d))} for data written at the newer
 * version). The tries of one property share one database, each with datasets of its own.
 *
 * <p>What is compared: the sample table's catalog entry (columns, defaults, constraints,
 * indexes, triggers, functions, owner, privileges), every sample row as PostgreSQL prints it,
 * the dataset's row in {@code cairn.datasets} but its version columns (and when it was last
 * loaded, if it was loaded in between), and the samples read back through the API; for the
 * database revision, every Cairn table but the history, the version columns aside, and the
 * catalog of Cairn's schemas. Revision 0.4.0 has two properties a direction: one for the same
 * values (SQL equality of the stored content; creation times), one for the same bytes, because
 * the bytes are not the same (see the two examples after them).
 */
class RevisionRoundTripProperties {

    private static final int TRIES = 15;
    private static final int BYTE_TRIES = 6;

    private static final Version V010 = Version.parse("0.1.0");
    private static final Version V020 = Version.parse("0.2.0");
    private static final Version V030 = Version.parse("0.3.0");
    private static final Version V040 = Version.parse("0.4.0");

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Map<String, World> WORLDS = new ConcurrentHashMap<>();

    /**
     * One database for one property, with the clients its tries share: the admin's
     * {@link Migrations} of this release, and clients of older releases that act exactly as
     * those releases' clients (only the first, which creates the database at its own version, is
     * an admin; the others are not, so that they never upgrade the database on their own).
     */
    static final class World implements AutoCloseable {
        final CairnConfig config = Backend.fresh();
        final Migrations migrations;
        final Cairn creator;
        private final Map<String, Cairn> readers = new ConcurrentHashMap<>();

        World(String creatorRelease) {
            creator = Cairn.open(config.toBuilder().clientRelease(creatorRelease).build());
            migrations = Migrations.open(config, Feedback.NONE);
        }

        /**
         * Brings the database (and any dataset a failed try left above it) to where every try
         * of the property starts, if it is not there.
         */
        void startAt(Version v) {
            if (!Queries.databaseVersion(config).equals(v.toString())) {
                migrations.migrate(MigrationRequest.all().to(v));
            }
        }

        /** A client of that release (null: this release), not admin, opened on first use. */
        Cairn reader(String release) {
            return readers.computeIfAbsent(release == null ? "this" : release, r -> Cairn.open(r.equals("this")
                    ? config.toBuilder().admin(false).build()
                    : config.toBuilder().clientRelease(r).admin(false).build()));
        }

        @Override
        public void close() {
            readers.values().forEach(Cairn::close);
            creator.close();
            migrations.close();
        }
    }

    private static World world(String property, String creatorRelease) {
        return WORLDS.computeIfAbsent(property, p -> new World(creatorRelease));
    }

    @AfterContainer
    static void closeWorlds() {
        WORLDS.values().forEach(World::close);
        WORLDS.clear();
    }

    @Provide
    Arbitrary<DatasetSpec> datasets() {
        return SampleArbitraries.dataset(25);
    }

    @Provide
    Arbitrary<List<DatasetSpec>> databases() {
        return SampleArbitraries.dataset(8).list().ofMinSize(1).ofMaxSize(3);
    }

    // ------------------------------------------------------------------ dataset revision 0.2.0

    /**
     * Revision 0.2.0 (samples gain created_at and last_modified_at): a dataset written by a 0.1.0
     * client, moved up to 0.2.0 and down again, is stored exactly as it was, byte for byte, and
     * reads back as written; at 0.2.0 its content is untouched and the new columns hold no
     * invented times. (The other direction means nothing here: going down drops the times, as
     * the revision says.)
     */
    @Property(tries = TRIES)
    void datasetRevision020_downUndoesUp(@ForAll("datasets") DatasetSpec spec, @ForAll boolean loadInBetween) {
        Written d = Written.at(world("0.2.0", "0.1.0"), V010, spec);
        World w = d.world();

        d.moveTo(V020);
        assertThat(Stored.sampleContent(w.config, d.id())).as("revision 0.2.0 up leaves the samples' content as it was")
                .isEqualTo(d.before().content());
        List<String> timed = Queries.query(w.config, c -> Queries.strings(c, "SELECT count(*) FROM "
                + Queries.table(d.id()) + " WHERE created_at IS NOT NULL OR last_modified_at IS NOT NULL"));
        assertThat(timed).as("samples stored before 0.2.0 have no known creation or modification time")
                .containsExactly("0");
        if (loadInBetween) {
            assertReadsBack(w.reader("0.2.0"), d.name(), spec, "at 0.2.0, through a 0.2.0 client");
        }

        d.moveTo(V010);
        d.assertAsWritten("after 0.2.0 up and down, through a 0.1.0 client", loadInBetween, Compare.BYTES);
    }

    // ------------------------------------------------------------------ dataset revision 0.4.0

    /**
     * Revision 0.4.0 (detection boxes stored as corners): a dataset written by a 0.3.0 client,
     * moved up to 0.4.0 and down again, holds the same values as before (SQL equality of every
     * sample's content, the same table, the same directory row, the same creation times) and
     * reads back as written through the API; at 0.4.0 every box is stored as the exact decimal
     * corners of the box that was stored. Bytes: {@link #datasetRevision040_downUndoesUp_byteForByte}.
     */
    @Property(tries = TRIES)
    void datasetRevision040_downUndoesUp(@ForAll("datasets") DatasetSpec spec, @ForAll boolean loadInBetween) {
        roundTrip040(spec, loadInBetween, Compare.VALUES, V030);
    }

    /**
     * Revision 0.4.0 the other way: a dataset written at 0.4.0 by a 0.4.0 client, moved down to
     * 0.3.0 and up again, holds the same values as before; at 0.3.0 every box is stored as
     * {@code [x, y, w, h]} of the corners that were stored, and a 0.3.0 client reads it as written.
     * Bytes: {@link #datasetRevision040_upUndoesDown_byteForByte}.
     */
    @Property(tries = TRIES)
    void datasetRevision040_upUndoesDown(@ForAll("datasets") DatasetSpec spec, @ForAll boolean loadInBetween) {
        roundTrip040(spec, loadInBetween, Compare.VALUES, V040);
    }

    /**
     * {@link #datasetRevision040_downUndoesUp} byte for byte: every column of every sample row,
     * modification times included.
     */
    @Property(tries = BYTE_TRIES, shrinking = ShrinkingMode.OFF)
    void datasetRevision040_downUndoesUp_byteForByte(@ForAll("datasets") DatasetSpec spec,
                                                    @ForAll boolean loadInBetween) {
        roundTrip040(spec, loadInBetween, Compare.BYTES, V030);
    }

    /** {@link #datasetRevision040_upUndoesDown} byte for byte. */
    @Property(tries = BYTE_TRIES, shrinking = ShrinkingMode.OFF)
    void datasetRevision040_upUndoesDown_byteForByte(@ForAll("datasets") DatasetSpec spec,
                                                    @ForAll boolean loadInBetween) {
        roundTrip040(spec, loadInBetween, Compare.BYTES, V040);
    }

    /**
     * A dataset written at {@code start} (0.3.0: boxes as [x, y, w, h]; 0.4.0: as corners),
     * moved through revision 0.4.0 to the other side, where its boxes are the same boxes the
     * other way, and back to where it started.
     */
    private void roundTrip040(DatasetSpec spec, boolean loadInBetween, Compare compare, Version start) {
        boolean upFirst = start.equals(V030);
        Version other = upFirst ? V040 : V030;
        Written d = Written.at(world(upFirst ? "0.4.0 up-down" : "0.4.0 down-up", start.toString()), start, spec);

        d.moveTo(other);
        Map<String, String> moved = Stored.sampleFields(d.world().config, d.id());
        if (upFirst) {
            assertCorners(spec, d.before().fields(), moved);
        } else {
            assertCorners(spec, moved, d.before().fields());
        }
        if (loadInBetween) {
            // a client of this release is 0.4.0's; an older one is needed for 0.3.0
            Cairn reader = d.world().reader(upFirst ? null : other.toString());
            assertReadsBack(reader, d.name(), spec, "at " + other + ", through a " + other + " client");
        }

        d.moveTo(start);
        d.assertAsWritten("after 0.4.0 " + (upFirst ? "up and down" : "down and up") + ", through a " + start
                + " client", loadInBetween, compare);
    }

    /**
     * The smallest case of what {@link #datasetRevision040_downUndoesUp_byteForByte} finds: one
     * sample with a detections field, written at 0.3.0 (so it has a modification time), moved up
     * to 0.4.0 and down again. Its content is the same, but its last_modified_at, which the API
     * returns as when the sample was last written, is now the time of the migration.
     */
    @Example
    void revision040UpAndDownKeepsWhenASampleWasLastModified() {
        CairnConfig config = Backend.fresh();
        try (Cairn old = Cairn.open(config.toBuilder().clientRelease("0.3.0").build());
             Migrations migrations = Migrations.open(config, Feedback.NONE)) {
            Sample written = old.create("boxes").add(Sample.of("/a.jpg")
                    .with("boxes", Detections.of(Detection.of("cat", BoundingBox.of(0.1, 0.2, 0.3, 0.4)))));
            assertThat(written.lastModifiedAt()).isPresent();

            migrate(migrations, MigrationRequest.all().to(V040));
            migrate(migrations, MigrationRequest.all().to(V030));

            Sample back = old.dataset("boxes").get(written.id());
            assertThat(back).isEqualTo(written);
            assertThat(back.createdAt()).isEqualTo(written.createdAt());
            assertThat(back.lastModifiedAt()).as("when the sample was last modified, after revision 0.4.0 up and down"
                    + " (nobody modified it)").isEqualTo(written.lastModifiedAt());
        }
    }

    /**
     * The other case of what the byte-for-byte property finds: revision 0.4.0 up and down gives
     * back the same numbers, but not as they were stored: {@code 0.5} comes back as
     * {@code 0.50000000}, with as many decimals as the longest of x and y (325 of them when x
     * is 4.9e-324).
     */
    @Example
    void revision040UpAndDownKeepsTheBoxesAsStored() {
        CairnConfig config = Backend.fresh();
        try (Cairn old = Cairn.open(config.toBuilder().clientRelease("0.3.0").build());
             Migrations migrations = Migrations.open(config, Feedback.NONE)) {
            Dataset d = old.create("boxes");
            d.add(Sample.of("/a.jpg").with("boxes", Detections.of(Detection.of("cat", BoundingBox.of(0.1, 1e-7, 0.2, 0.5)))));
            long id = Queries.datasetId(config, "boxes");
            List<String> before = Stored.sampleContent(config, id);
            assertThat(before.get(0)).as("stored as the shortest decimals").contains("[0.1, 0.0000001, 0.2, 0.5]");

            migrate(migrations, MigrationRequest.all().to(V040));
            migrate(migrations, MigrationRequest.all().to(V030));

            assertThat(Stored.sampleContent(config, id)).as("the stored sample after revision 0.4.0 up and down")
                    .isEqualTo(before);
        }
    }

    // ------------------------------------------------------------------ database revision 0.3.0

    /**
     * Revision 0.3.0 (saved views), a database revision: a database of random datasets written by
     * a 0.2.x client, moved with every dataset up to 0.3.0 and down again, holds exactly what it
     * held (every Cairn table but the history, and the catalog of Cairn's schemas), apart from
     * the version records; and moved up once more (data at 0.3.0 without saved views, down and
     * up) it is exactly as it was at 0.3.0.
     */
    @Property(tries = TRIES)
    void databaseRevision030_downUndoesUp(@ForAll("databases") List<DatasetSpec> specs, @ForAll boolean loadInBetween) {
        World w = world("0.3.0", "0.2.0");
        w.startAt(V020);
        List<String> names = new ArrayList<>();
        for (DatasetSpec spec : specs) {
            String name = newName(spec);
            write(w.creator, name, spec);
            names.add(name);
        }
        Set<String> datasetsWithout = new HashSet<>(Stored.DATASET_VERSION_COLUMNS);
        if (loadInBetween) {
            datasetsWithout.add("last_loaded_at");
        }
        Map<String, List<String>> at020 = Stored.contents(w.config, Stored.DATABASE_VERSION_COLUMNS, datasetsWithout);
        List<String> catalog020 = Stored.catalog(w.config);

        migrate(w, MigrationRequest.all().to(V030));
        assertThat(Queries.databaseVersion(w.config)).isEqualTo("0.3.0");
        List<String> catalog030 = Stored.catalog(w.config);
        assertThat(catalog030).as("revision 0.3.0 adds cairn.saved_views").anyMatch(s -> s.startsWith("relation cairn.saved_views r"));
        Map<String, List<String>> at030 = Stored.contents(w.config, Stored.DATABASE_VERSION_COLUMNS, datasetsWithout);
        Map<String, List<String>> expected030 = new LinkedHashMap<>(at020);
        expected030.put("cairn.saved_views", List.of());
        assertThat(at030).as("revision 0.3.0 up changes nothing but adds an empty cairn.saved_views").isEqualTo(expected030);
        if (loadInBetween) {
            for (int i = 0; i < specs.size(); i++) {
                assertReadsBack(w.reader("0.3.0"), names.get(i), specs.get(i), "at 0.3.0, through a 0.3.0 client");
            }
        }

        migrate(w, MigrationRequest.all().to(V020));
        assertThat(Queries.databaseVersion(w.config)).isEqualTo("0.2.0");
        assertThat(Stored.catalog(w.config)).as("the catalog after 0.3.0 up and down").isEqualTo(catalog020);
        assertThat(Stored.contents(w.config, Stored.DATABASE_VERSION_COLUMNS, datasetsWithout))
                .as("every Cairn table after 0.3.0 up and down").isEqualTo(at020);
        for (int i = 0; i < specs.size(); i++) {
            assertReadsBack(w.creator, names.get(i), specs.get(i), "after 0.3.0 up and down, through a 0.2.0 client");
        }
        datasetsWithout.add("last_loaded_at");
        Map<String, List<String>> loaded020 = Stored.contents(w.config, Stored.DATABASE_VERSION_COLUMNS, datasetsWithout);

        migrate(w, MigrationRequest.all().to(V030));
        assertThat(Stored.catalog(w.config)).as("the catalog after 0.3.0 up, down and up").isEqualTo(catalog030);
        Map<String, List<String>> expectedAgain = new LinkedHashMap<>(loaded020);
        expectedAgain.put("cairn.saved_views", List.of());
        assertThat(Stored.contents(w.config, Stored.DATABASE_VERSION_COLUMNS, datasetsWithout))
                .as("every Cairn table after 0.3.0 up, down and up").isEqualTo(expectedAgain);

        migrate(w, MigrationRequest.all().to(V020));
        names.forEach(w.creator::delete);
    }

    // ------------------------------------------------------------------ irreversible revisions

    /**
     * An irreversible dataset revision refuses to go down, in {@code plan} and in {@code migrate},
     * for the dataset alone, for every dataset, and for the database (whose datasets would have to
     * come down first): a {@link RefusedException} that names the revision and gives its reason,
     * and not one byte of the database changed, although another dataset's step, reversible,
     * came first in the plan.
     */
    @Example
    void irreversibleDatasetRevisionRefusesToGoDownBeforeChangingAnything() throws Exception {
        String reason = "the old labels were merged into one; nobody can tell them apart again";
        DataModel model = withIrreversible(Revision.dataset("0.9.0", "labels merged into one class").compatible(false),
                reason, ctx -> execute(ctx, "UPDATE " + ctx.sampleTable() + " SET tags = '{merged}'"));
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config); Migrations migrations = Migrations.open(config, model, Feedback.NONE)) {
            for (String n : List.of("aa-stays-at-0.4.0", "zz-goes-to-0.9.0")) {
                Dataset d = cairn.create(n);
                d.addAll(List.of(Sample.of("/a.jpg").withTags("x"), Sample.of("/b.jpg").withTags("y")));
            }
            migrate(migrations, MigrationRequest.database().to(Version.parse("0.9.0")));
            migrate(migrations, MigrationRequest.named("zz-goes-to-0.9.0").to(Version.parse("0.9.0")));
            assertThat(Queries.datasetVersion(config, "zz-goes-to-0.9.0")).isEqualTo("0.9.0");
            assertThat(Queries.datasetVersion(config, "aa-stays-at-0.4.0")).isEqualTo("0.4.0");
            String checksum = Backend.checksum(config);

            List<MigrationRequest> downs = List.of(
                    MigrationRequest.named("zz-goes-to-0.9.0").to(V040),
                    MigrationRequest.named("aa-stays-at-0.4.0", "zz-goes-to-0.9.0").to(V030),
                    MigrationRequest.all().to(V030),
                    MigrationRequest.all().to(V040),
                    MigrationRequest.database().to(V040),
                    MigrationRequest.all().toRelease(Version.parse("0.1.0")).errorLevel(2));
            for (MigrationRequest down : downs) {
                assertThatThrownBy(() -> migrations.plan(down)).as("plan " + down.describe())
                        .isInstanceOf(RefusedException.class)
                        .hasMessageContaining("0.9.0").hasMessageContaining("labels merged into one class")
                        .hasMessageContaining(reason);
                assertThatThrownBy(() -> migrations.migrate(down)).as(down.describe())
                        .isInstanceOf(RefusedException.class)
                        .hasMessageContaining("revision 0.9.0").hasMessageContaining(reason)
                        .hasMessageContaining("zz-goes-to-0.9.0");
                assertThat(Backend.checksum(config)).as("the database after the refused " + down.describe())
                        .isEqualTo(checksum);
            }
            assertThat(Queries.datasetVersion(config, "aa-stays-at-0.4.0")).isEqualTo("0.4.0");
        }
    }

    /** The same for an irreversible database revision: going down is refused, and nothing changes. */
    @Example
    void irreversibleDatabaseRevisionRefusesToGoDownBeforeChangingAnything() throws Exception {
        String reason = "the audit log must never be lost";
        DataModel model = withIrreversible(Revision.database("0.9.0", "an audit log of every change").compatible(true),
                reason, ctx -> execute(ctx,
                        "CREATE TABLE cairn.audit (at timestamptz NOT NULL DEFAULT now(), what text)",
                        "INSERT INTO cairn.audit (what) VALUES ('created')"));
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config); Migrations migrations = Migrations.open(config, model, Feedback.NONE)) {
            cairn.create("a").add(Sample.of("/a.jpg"));
            migrate(migrations, MigrationRequest.all().to(Version.parse("0.9.0")));
            assertThat(Queries.databaseVersion(config)).isEqualTo("0.9.0");
            String checksum = Backend.checksum(config);
            for (MigrationRequest down : List.of(MigrationRequest.database().to(V040),
                    MigrationRequest.all().to(V010))) {
                assertThatThrownBy(() -> migrations.migrate(down)).as(down.describe())
                        .isInstanceOf(RefusedException.class)
                        .hasMessageContaining("revision 0.9.0").hasMessageContaining("an audit log of every change")
                        .hasMessageContaining(reason);
                assertThat(Backend.checksum(config)).as("the database after the refused " + down.describe())
                        .isEqualTo(checksum);
            }
        }
    }

    /**
     * This release's data model as of 0.4.0, plus a revision 0.9.0 that goes up by {@code up} and
     * may never come down, for {@code reason}, and a release 0.9.0 that knows it.
     */
    private static DataModel withIrreversible(Revision.Builder r090, String reason, Revision.Step up) {
        DataModel base = CairnModel.shipped().asOfRelease(V040);
        List<Revision> revisions = new ArrayList<>(base.revisions());
        revisions.add(r090.up(up).irreversible(reason).build());
        List<Release> releases = new ArrayList<>(base.releases());
        releases.add(Release.of("0.9.0", "0.9.0"));
        return DataModel.of(revisions, releases);
    }

    private static void execute(RevisionContext ctx, String... statements) throws SQLException {
        try (var s = ctx.connection().createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * One try's dataset, written by the world's creator at the version the try starts from, and
     * what it held then, for the round trip to end at.
     */
    private record Written(World world, DatasetSpec spec, String name, long id, Snapshot before) {

        static Written at(World w, Version start, DatasetSpec spec) {
            w.startAt(start);
            String name = newName(spec);
            write(w.creator, name, spec);
            long id = Queries.datasetId(w.config, name);
            return new Written(w, spec, name, id, Snapshot.of(w.config, name, id));
        }

        /**
         * Up, the database moves first, and down, the dataset: a dataset may never be ahead of
         * its database.
         */
        void moveTo(Version to) {
            MigrationRequest database = MigrationRequest.database().to(to);
            MigrationRequest dataset = MigrationRequest.named(name).to(to);
            boolean up = to.isAfter(Version.parse(Queries.datasetVersion(world.config, name)));
            migrate(world, up ? database : dataset);
            migrate(world, up ? dataset : database);
            assertThat(Queries.datasetVersion(world.config, name)).isEqualTo(to.toString());
        }

        /**
         * Back where it started, the dataset holds what it held when written and reads back as
         * written through the creator; then it goes, so that the world's next try starts clean.
         */
        void assertAsWritten(String when, boolean loadedInBetween, Compare compare) {
            // the snapshot comes first: reading back records when the dataset was last loaded
            Snapshot after = Snapshot.after(world.config, name, id);
            assertReadsBack(world.creator, name, spec, when);
            before.assertSameAs(after, loadedInBetween, compare);
            world.creator.delete(name);
        }
    }

    private static String newName(DatasetSpec spec) {
        return "d" + NAMES.incrementAndGet() + (spec.nameSuffix().isEmpty() ? "" : " " + spec.nameSuffix());
    }

    private static void migrate(World w, MigrationRequest request) {
        migrate(w.migrations, request);
    }

    private static void migrate(Migrations m, MigrationRequest request) {
        MigrationResult r = m.migrate(request);
        assertThat(r.complete()).as(request.describe() + ": " + r.summary() + " " + r.steps()).isTrue();
        assertThat(r.steps()).as(request.describe()).allMatch(s -> s.outcome() == StepResult.Outcome.DONE);
    }

    /** Creates the dataset and writes the spec into it: schema first, then directory data, then samples. */
    private static void write(Cairn client, String name, DatasetSpec spec) {
        Dataset d = client.create(name);
        for (Field f : spec.schema()) {
            d.addField(f.name(), f.type());
        }
        d.setInfo(spec.info());
        d.setTags(spec.tags());
        d.setClasses(spec.classes());
        Iterator<Sample> samples = spec.samples().iterator();
        if (samples.hasNext()) {
            d.add(samples.next());
        }
        d.addAll(samples);
        assertReadsBack(client, name, spec, "as written");
    }

    private static void assertReadsBack(Cairn client, String name, DatasetSpec spec, String when) {
        Dataset d = client.dataset(name);
        Map<String, Sample> expected = spec.samples().stream()
                .collect(Collectors.toMap(Sample::id, Function.identity(), (a, b) -> a, LinkedHashMap::new));
        Map<String, Sample> actual;
        try (Stream<Sample> all = d.stream()) {
            actual = all.collect(Collectors.toMap(Sample::id, Function.identity(), (a, b) -> {
                throw new AssertionError("sample " + a.id() + " read twice");
            }, LinkedHashMap::new));
        }
        assertThat(actual).as("the samples of %s read back %s", name, when).isEqualTo(expected);
        assertThat(d.count()).as("the count of %s %s", name, when).isEqualTo(spec.samples().size());
        assertThat(d.schema()).as("the schema of %s %s", name, when).isEqualTo(spec.schema());
    }

    /**
     * Every box of {@code corners} is the box of {@code xywh} as exact decimal corners:
     * {@code [x, y, x + w, y + h]}, and everything else is the same JSON.
     */
    private static void assertCorners(DatasetSpec spec, Map<String, String> xywh, Map<String, String> corners) {
        assertThat(corners.keySet()).isEqualTo(xywh.keySet());
        Set<String> detectionFields = spec.schema().stream()
                .filter(f -> f.type().kind() == dev.cairn.api.FieldType.Kind.DETECTIONS).map(Field::name)
                .collect(Collectors.toSet());
        for (String id : xywh.keySet()) {
            JsonNode a = Json.parse(xywh.get(id));
            JsonNode b = Json.parse(corners.get(id));
            assertThat(iterable(b.fieldNames())).as("fields of sample " + id).isEqualTo(iterable(a.fieldNames()));
            for (String f : iterable(a.fieldNames())) {
                JsonNode va = a.get(f);
                JsonNode vb = b.get(f);
                if (!detectionFields.contains(f) || va.isNull()) {
                    assertThat(vb).as("field " + f + " of sample " + id).isEqualTo(va);
                    continue;
                }
                JsonNode da = va.get("detections");
                JsonNode db = vb.get("detections");
                assertThat(db.size()).isEqualTo(da.size());
                for (int i = 0; i < da.size(); i++) {
                    JsonNode boxA = da.get(i).get("bounding_box");
                    JsonNode boxB = db.get(i).get("bounding_box");
                    BigDecimal x = boxA.get(0).decimalValue();
                    BigDecimal y = boxA.get(1).decimalValue();
                    List<BigDecimal> expected = List.of(x, y, x.add(boxA.get(2).decimalValue()),
                            y.add(boxA.get(3).decimalValue()));
                    for (int k = 0; k < 4; k++) {
                        assertThat(boxB.get(k).decimalValue())
                                .as("corner %d of box %d of field %s of sample %s: %s as corners is %s", k, i, f, id,
                                        boxA, boxB)
                                .isEqualByComparingTo(expected.get(k));
                    }
                    JsonNode restA = da.get(i).deepCopy();
                    JsonNode restB = db.get(i).deepCopy();
                    ((com.fasterxml.jackson.databind.node.ObjectNode) restA).remove("bounding_box");
                    ((com.fasterxml.jackson.databind.node.ObjectNode) restB).remove("bounding_box");
                    assertThat(restB).as("detection %d of field %s of sample %s but its box", i, f, id).isEqualTo(restA);
                }
            }
        }
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        out.sort(null);
        return out;
    }

    /** How closely a round trip must give back what was stored. */
    enum Compare {
        /**
         * The same values: every sample's content equal by SQL equality (a number 0.5 equals
         * 0.50), and byte for byte everything else but the samples' modification times.
         */
        VALUES,
        /** The same bytes: every column of every row exactly as PostgreSQL prints it. */
        BYTES
    }

    /**
     * What one dataset holds, byte for byte: its sample table's shape, its rows (every column;
     * the content columns; the creation times), the stored fields, and its row of
     * {@code cairn.datasets} but the version columns; and a copy of its rows kept in the database,
     * to compare values with.
     */
    record Snapshot(CairnConfig config, long id, String name, List<String> shape, List<String> rows,
                    List<String> content, List<String> created, Map<String, String> fields,
                    Map<String, String> directory, String copy) {

        /** What the dataset holds now, with a copy of its rows to compare values with later. */
        static Snapshot of(CairnConfig config, String name, long id) {
            return of(config, name, id, Stored.keepCopy(config, id));
        }

        /** What the dataset holds now, to compare with a snapshot taken before. */
        static Snapshot after(CairnConfig config, String name, long id) {
            return of(config, name, id, null);
        }

        private static Snapshot of(CairnConfig config, String name, long id, String copy) {
            return new Snapshot(config, id, name, Stored.sampleTableShape(config, id), Stored.sampleRows(config, id),
                    Stored.sampleContent(config, id), Stored.sampleCreationTimes(config, id),
                    Stored.sampleFields(config, id), Stored.datasetRow(config, name, Stored.DATASET_VERSION_COLUMNS),
                    copy);
        }

        /**
         * @param loaded whether the dataset was loaded in between, which records when it was
         *               (last_loaded_at), and is not content
         */
        void assertSameAs(Snapshot after, boolean loaded, Compare compare) {
            long differentValues = Stored.valueDifferences(config, id, copy);
            Map<String, String> expected = new LinkedHashMap<>(directory);
            Map<String, String> actual = new LinkedHashMap<>(after.directory);
            if (loaded) {
                expected.remove("last_loaded_at");
                actual.remove("last_loaded_at");
            }
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(after.shape).as("the sample table's shape of %s", name).isEqualTo(shape);
            soft.assertThat(differentValues).as("sample rows of %s whose content differs as values (SQL equality)", name)
                    .isZero();
            soft.assertThat(after.created).as("the creation times of the samples of %s", name).isEqualTo(created);
            soft.assertThat(actual).as("the row of %s in cairn.datasets but its version", name).isEqualTo(expected);
            if (compare == Compare.BYTES) {
                soft.assertThat(after.content).as("the content (id, filepath, tags, metadata, fields) of the sample"
                        + " rows of %s, byte for byte", name).isEqualTo(content);
                soft.assertThat(after.rows).as("the sample rows of %s, every column (modification times included),"
                        + " byte for byte", name).isEqualTo(rows);
            }
            soft.assertAll();
        }
    }
}
