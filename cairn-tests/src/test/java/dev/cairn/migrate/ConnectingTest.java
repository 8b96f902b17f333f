package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.CairnException;
import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Feedback;
import dev.cairn.api.Query;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Remedy;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.HistoryEntry;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.Policy;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every row of DESIGN.md's Connecting table, for the database and for one dataset, with clients
 * of older and newer releases (each acting exactly as its release would).
 */
class ConnectingTest {

    private final CairnConfig base = Backend.fresh();

    private CairnConfig client(String release, boolean admin) {
        return base.toBuilder().clientRelease(release).admin(admin).build();
    }

    private Cairn open(String release, boolean admin) {
        return Cairn.open(client(release, admin));
    }

    /** Puts the database at a version, as an admin with the newest client would. */
    private void databaseAt(String version, Policy policy) {
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.migrate(MigrationRequest.all().to(Version.parse(version)));
            m.setPolicy(policy);
        }
    }

    /** A dataset d written at 0.1.0, then the database alone moved on to {@code version} by an admin. */
    private void datasetAt010InADatabaseAt(String version) {
        databaseAt("0.1.0", Policy.MANUAL);
        try (Cairn old = open("0.1.0", false)) {
            old.create("d").add(boxed("/a"));
        }
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.migrate(MigrationRequest.database().to(Version.parse(version)));
        }
    }

    private DatabaseState state() {
        try (Migrations m = Migrations.open(client("0.4.0", false), Feedback.NONE)) {
            return m.info().state().orElseThrow();
        }
    }

    /** A client of {@code release} is refused on connecting, and the refusal writes nothing: the refusal, to read. */
    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String release, boolean admin)
            throws SQLException {
        String before = Backend.checksum(base);
        AbstractThrowableAssert<?, ? extends Throwable> refusal = assertThat(catchThrowable(() -> open(release, admin)))
                .isInstanceOf(RefusedException.class);
        assertThat(Backend.checksum(base)).as("a refusal writes nothing").isEqualTo(before);
        return refusal;
    }

    private static Sample boxed(String path) {
        return Sample.of(path).with("boxes", Detections.of(Detection.of("car", BoundingBox.of(0.1, 0.2, 0.3, 0.4))));
    }

    @Test
    void noDatabaseYetIsCreatedAtTheClientsVersionWithRecordsForOlderClients() {
        try (Cairn cairn = open("0.2.0", true)) {
            assertThat(cairn.workingVersion()).isEqualTo(Version.parse("0.2.0"));
        }
        DatabaseState s = state();
        assertThat(s.version()).isEqualTo(Version.parse("0.2.0"));
        assertThat(s.minClientVersion()).as("0.2.0 is compatible: 0.1.0 clients may still use it").isEqualTo(Version.parse("0.1.0"));
        assertThat(s.writtenByRelease()).isEqualTo("0.2.0");
        assertThat(s.policy()).isEqualTo(base.isLocal() ? Policy.AUTO : Policy.MANUAL);
    }

    @Test
    void sameVersionConnects() throws Exception {
        databaseAt("0.3.0", Policy.MANUAL);
        String before = Backend.checksum(base);
        try (Cairn cairn = open("0.3.0", false)) {
            assertThat(cairn.workingVersion()).isEqualTo(Version.parse("0.3.0"));
        }
        assertThat(Backend.checksum(base)).isEqualTo(before);
    }

    @Test
    void anOlderDatabaseIsUpgradedByAnAdminWhenThePolicyIsAutoAndItIsNotPinned() {
        databaseAt("0.2.0", Policy.AUTO);
        try (Cairn old = open("0.2.0", true)) {
            old.create("d").add(boxed("/a"));
        }
        try (Cairn cairn = open("0.4.0", true)) {
            assertThat(cairn.workingVersion()).isEqualTo(Version.parse("0.4.0"));
            assertThat(state().version()).isEqualTo(Version.parse("0.4.0"));
            assertThat(cairn.datasets().get(0).version()).as("datasets wait to be loaded").isEqualTo(Version.parse("0.2.0"));
            Dataset d = cairn.dataset("d");
            assertThat(d.info().version()).as("loading upgrades it").isEqualTo(Version.parse("0.4.0"));
            assertThat(d.list(Query.all()).get(0).get("boxes")).isEqualTo(boxed("/a").get("boxes"));
        }
        try (Migrations m = Migrations.open(client("0.4.0", false), Feedback.NONE)) {
            assertThat(m.history(20, null)).extracting(HistoryEntry::command).contains("connect: automatic upgrade",
                    "load: lazy upgrade");
        }
    }

    @Test
    void anOlderDatabaseIsNotUpgradedWhenManualOrNotAdminOrPinned() throws Exception {
        databaseAt("0.3.0", Policy.MANUAL);
        String before = Backend.checksum(base);
        assertThatThrownBy(() -> open("0.4.0", true)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("data model 0.3.0").hasMessageContaining("0.4.0").hasMessageContaining("manual")
                .hasMessageContaining("install release 0.1.0, which works at 0.3.0")
                .satisfies(e -> assertThat(((CairnException) e).remedies()).as("the remedy, as data")
                        .containsExactly(new Remedy.Migrate(MigrationRequest.database())));
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.setPolicy(Policy.AUTO);
        }
        assertRefused("0.4.0", false).hasMessageContaining("not acting as admin");
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.migrate(MigrationRequest.all());
            m.migrate(MigrationRequest.all().to(Version.parse("0.3.0")));
        }
        assertThat(state().pinned()).isTrue();
        assertRefused("0.4.0", true).hasMessageContaining("pinned");
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.migrate(MigrationRequest.database());
        }
        assertThat(state().pinned()).as("an admin's migrate up unpins it").isFalse();
    }

    @Test
    void aNewerClientWorksAtAnOlderDatabaseWhenEveryRevisionBetweenIsCompatible() throws Exception {
        databaseAt("0.2.0", Policy.MANUAL);
        try (Cairn old = open("0.2.0", false)) {
            old.create("d").add(boxed("/old"));
        }
        String before = Backend.checksum(base);
        try (Cairn cairn = open("0.3.0", false)) {
            assertThat(cairn.workingVersion()).isEqualTo(Version.parse("0.2.0"));
            assertThat(Backend.checksum(base)).as("connecting changes nothing").isEqualTo(before);
            Dataset d = cairn.dataset("d");
            assertThatThrownBy(() -> d.saveView("v", Query.all())).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("0.3.0").hasMessageContaining("at 0.2.0");
            d.add(boxed("/new"));
            Dataset created = cairn.create("made by a newer client");
            assertThat(created.info().version()).as("created at the database's version").isEqualTo(Version.parse("0.2.0"));
        }
        assertThat(state().version()).isEqualTo(Version.parse("0.2.0"));
        try (Cairn old = open("0.2.0", false)) {
            assertThat(old.dataset("d").list(Query.all())).extracting(Sample::filepath).containsExactly("/old", "/new");
        }
    }

    @Test
    void aNewerClientIsRefusedAtAnOlderDatabaseWithAnIncompatibleRevisionBetween() throws Exception {
        databaseAt("0.1.0", Policy.MANUAL);
        assertRefused("0.4.0", false)
                .hasMessageContaining("data model 0.1.0").hasMessageContaining("data model 0.4.0")
                .hasMessageContaining("revision 0.4.0").hasMessageContaining("install release 0.1.0");
    }

    @Test
    void anOlderClientWorksAtANewerDatabaseThatAcceptsIt() throws Exception {
        databaseAt("0.3.0", Policy.MANUAL);
        try (Cairn newer = open("0.3.0", false)) {
            newer.create("d").add(boxed("/by-0.3"));
        }
        try (Cairn old = open("0.1.0", false)) {
            assertThat(old.workingVersion()).as("it works at its own version").isEqualTo(Version.parse("0.1.0"));
            Dataset d = old.dataset("d");
            assertThat(d.info().version()).as("an older client leaves it as it is").isEqualTo(Version.parse("0.3.0"));
            Sample read = d.list(Query.all()).get(0);
            assertThat(read.createdAt()).as("0.1.0 knows no timestamps").isEmpty();
            d.update(read.withTags("seen by 0.1.0"));
            d.add(boxed("/by-0.1"));
            Dataset own = old.create("made by 0.1.0");
            assertThat(own.info().version()).isEqualTo(Version.parse("0.1.0"));
        }
        try (Cairn newer = open("0.3.0", false)) {
            List<Sample> samples = newer.dataset("d").list(Query.all());
            assertThat(samples).extracting(Sample::filepath).containsExactly("/by-0.3", "/by-0.1");
            assertThat(samples).allSatisfy(s -> assertThat(s.createdAt()).as("the database stamped it").isPresent());
            assertThat(samples.get(0).lastModifiedAt().orElseThrow()).as("the trigger stamped the old client's update")
                    .isAfter(samples.get(0).createdAt().orElseThrow());
            assertThat(newer.dataset("made by 0.1.0").info().version()).as("upgraded when a client that knows 0.3.0 loads it")
                    .isEqualTo(Version.parse("0.3.0"));
        }
    }

    @Test
    void anOlderClientIsRefusedByANewerDatabaseThatDoesNotAcceptIt() throws Exception {
        databaseAt("0.4.0", Policy.MANUAL);
        assertRefused("0.3.0", false)
                .hasMessageContaining("data model 0.4.0").hasMessageContaining("data model 0.3.0")
                .hasMessageContaining("Install release 0.4.0")
                .hasMessageContaining("Migrations.migrate(MigrationRequest.all().to(0.3.0))")
                .satisfies(e -> assertThat(((CairnException) e).remedies()).as("the remedy, as data")
                        .containsExactly(new Remedy.Migrate(MigrationRequest.all().to(Version.parse("0.3.0")))));
    }

    @Test
    void aDatasetIsUpgradedToTheDatabasesVersionNotTheClients() {
        datasetAt010InADatabaseAt("0.2.0");
        try (Cairn cairn = open("0.3.0", false)) {
            assertThat(cairn.workingVersion()).isEqualTo(Version.parse("0.2.0"));
            assertThat(cairn.dataset("d").info().version()).isEqualTo(Version.parse("0.2.0"));
        }
    }

    @Test
    void anOlderClientLeavesAnOutdatedDatasetForOneThatKnowsTheWay() {
        datasetAt010InADatabaseAt("0.3.0");
        try (Cairn c = open("0.2.0", false)) {
            assertThat(c.dataset("d").info().version()).as("0.2.0 does not know 0.3.0: it leaves the dataset").isEqualTo(
                    Version.parse("0.1.0"));
            assertThat(c.dataset("d").count()).isEqualTo(1);
        }
        try (Cairn c = open("0.3.0", false)) {
            assertThat(c.dataset("d").info().version()).isEqualTo(Version.parse("0.3.0"));
        }
    }

    @Test
    void aHandleNeverWritesAtAVersionItsClientDoesNotAccept() throws Exception {
        databaseAt("0.3.0", Policy.MANUAL);
        try (Cairn old = open("0.3.0", false)) {
            Dataset d = old.create("d");
            d.add(boxed("/a"));
            try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
                m.migrate(MigrationRequest.all());
            }
            String before = Backend.checksum(base);
            assertThatThrownBy(() -> d.add(boxed("/b"))).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("0.4.0").hasMessageContaining("0.3.0");
            assertThatThrownBy(d::count).isInstanceOf(RefusedException.class);
            assertThat(Backend.checksum(base)).isEqualTo(before);
        }
    }

    @Test
    void aDatasetAheadOfItsDatabaseIsReportedAsDamaged() throws Exception {
        databaseAt("0.3.0", Policy.MANUAL);
        try (Cairn c = open("0.3.0", false)) {
            c.create("d");
        }
        Queries.execute(base, "UPDATE cairn.datasets SET version = '0.4.0', min_client_version = '0.4.0'");
        String before = Backend.checksum(base);
        try (Cairn c = open("0.4.0", true)) {
            assertThatThrownBy(() -> c.dataset("d")).isInstanceOf(DamagedDatabaseException.class)
                    .hasMessageContaining("ahead of its database").hasMessageContaining("cairn migrate -n d -v 0.3.0");
        } catch (RefusedException expected) {
            // a 0.4.0 client may be refused by the 0.3.0 manual database itself; the 0.3.0 client below must see it
        }
        try (Cairn c = open("0.3.0", false)) {
            assertThatThrownBy(() -> c.dataset("d")).isInstanceOf(DamagedDatabaseException.class);
        }
        String stored = Queries.query(base, c -> Queries.string(c, "SELECT version FROM cairn.datasets"));
        assertThat(stored).isEqualTo("0.4.0");
    }
}
