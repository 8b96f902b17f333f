package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.AccessLevel;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Dataset;
import dev.cairn.api.DatasetAccess;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Feedback;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.model.CairnModel;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import dev.cairn.testing.Queries;
import dev.cairn.testing.SharedDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.cairn.testing.Queries.number;
import static dev.cairn.testing.Queries.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Per-dataset access on a shared database set up with {@code cairn admin init}: what each level
 * lets a regular user do, through Cairn and through raw SQL over their own login, and that a
 * regular user's lazy upgrade, which runs the revisions' stored SQL in the database, leaves a
 * dataset exactly as an admin's client leaves it.
 */
class DatasetAccessTest {

    private static final String BOB_PW = "bob's secret";
    private static final String CAROL_PW = "carol: secret";
    private static final String ALICE_PW = "alice-secret";

    private final SharedDatabase shared = SharedDatabase.fresh();
    private final CairnConfig superuser = shared.superuser();
    private final String alice = shared.user("alice");
    private final String bob = shared.user("bob");
    private final String carol = shared.user("carol");

    /** Sets the database up at {@code release}'s data model, with alice an admin and bob and carol regular users. */
    private void setUp(String release) {
        CairnConfig root = release == null ? superuser : superuser.toBuilder().clientRelease(release).build();
        try (Migrations m = Migrations.open(root, Feedback.NONE)) {
            m.setUpPrivileges();
            m.addUser(alice, ALICE_PW.toCharArray(), true);
            m.addUser(bob, BOB_PW.toCharArray(), false);
            m.addUser(carol, CAROL_PW.toCharArray(), false);
        }
    }

    private CairnConfig as(String user, String password, boolean admin, String release) {
        CairnConfig.Builder b = shared.as(user, password, admin);
        return (release == null ? b : b.clientRelease(release)).build();
    }

    private Map<String, String> env(String user, String password) {
        return shared.environment(user, password, false);
    }

    /** Bob creates the dataset "bob's", of three samples, and grants carol {@code level} on it. */
    private void bobSharesHisDatasetWithCarol(AccessLevel level) {
        try (Cairn b = Cairn.open(as(bob, BOB_PW, false, null))) {
            b.create("bob's").addAll(samples(3));
            b.grant("bob's", carol, level);
        }
    }

    private static List<Sample> samples(int n) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Sample.of("/data/" + i + ".jpg").withTags(i % 2 == 0 ? "train" : "val")
                    .with("boxes", Detections.of(Detection.of("cat", BoundingBox.of(0.125, 0.25, 0.5, 0.375)),
                            Detection.of("dog", BoundingBox.of(0.5, 0.5, 0.25, 0.125)))));
        }
        return out;
    }

    @Test
    void eachLevelLetsARegularUserDoWhatItSaysAndNoMore() throws Exception {
        setUp(null);
        CairnConfig bobs = as(bob, BOB_PW, false, null);
        CairnConfig carols = as(carol, CAROL_PW, false, null);
        CairnConfig alices = as(alice, ALICE_PW, true, null);
        try (Cairn b = Cairn.open(bobs)) {
            b.create("bob's").addAll(samples(5));
            DatasetAccess mine = b.access("bob's");
            assertThat(mine.owner()).contains(bob);
            assertThat(mine.defaultLevel()).isEqualTo(AccessLevel.NONE);
            assertThat(mine.yours()).isEqualTo(AccessLevel.MANAGE);
        }
        String before = Backend.checksum(superuser);
        try (Cairn c = Cairn.open(carols)) {
            assertThat(c.datasets()).as("no access: not listed").isEmpty();
            assertThat(c.exists("bob's")).isFalse();
            assertThatThrownBy(() -> c.dataset("bob's")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> c.rename("bob's", "carol's")).isInstanceOf(NotFoundException.class);
            assertThat(c.delete("bob's")).as("no access: nothing to delete").isFalse();
            assertThatThrownBy(() -> c.grant("bob's", carol, AccessLevel.MANAGE)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> c.clone("bob's", "copy")).isInstanceOf(NotFoundException.class);
        }
        try (Connection c = shared.login(carol, CAROL_PW); Statement s = c.createStatement()) {
            assertThat(number(c, "SELECT count(*) FROM cairn.datasets")).as("row-level security hides it").isZero();
            assertThat(number(c, "SELECT count(*) FROM cairn.dataset_access")).isZero();
            long id = datasetId("bob's");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM cairn_data.samples_" + id))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE cairn.datasets SET fields = '[]'"))
                    .as("the records change only through the checked paths").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("SELECT cairn.set_access(" + id + ", '" + carol + "', 3::smallint)"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("SELECT cairn.upgrade_dataset(" + id + ", '0.4.0', '0.4.0')"))
                    .isInstanceOf(SQLException.class);
            assertThat(s.executeQuery("SELECT cairn.delete_dataset('bob''s')").next()).isTrue();
        }
        assertThat(Backend.checksum(superuser)).as("no access changed nothing").isEqualTo(before);

        try (Cairn b = Cairn.open(bobs)) {
            b.grant("bob's", carol, AccessLevel.VIEW);
        }
        try (Cairn c = Cairn.open(carols)) {
            Dataset d = c.dataset("bob's");
            assertThat(d.count()).isEqualTo(5);
            assertThat(c.datasets()).extracting(i -> i.name()).containsExactly("bob's");
            assertThatThrownBy(() -> d.addAll(samples(1))).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("may view").hasMessageContaining("not change it");
            assertThatThrownBy(() -> c.rename("bob's", "carol's")).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("manage");
            assertThatThrownBy(() -> c.delete("bob's")).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> c.grant("bob's", carol, AccessLevel.MANAGE)).isInstanceOf(RefusedException.class);
            c.clone("bob's", "carol's copy");
            assertThat(c.dataset("carol's copy").count()).as("a viewer may copy it into a dataset of her own").isEqualTo(5);
            assertThat(c.access("carol's copy").owner()).contains(carol);
        }
        try (Connection c = shared.login(carol, CAROL_PW); Statement s = c.createStatement()) {
            long id = datasetId("bob's");
            assertThat(number(c, "SELECT count(*) FROM cairn_data.samples_" + id)).isEqualTo(5);
            assertThatThrownBy(() -> s.execute("DELETE FROM cairn_data.samples_" + id)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.executeUpdate("UPDATE cairn.datasets SET info = '{\"x\": 1}' WHERE id = " + id))
                    .as("a viewer cannot write the record").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("SELECT cairn.update_dataset(" + id + ", '{}', null, null, '[]', null, null)"))
                    .as("nor through the checked path").isInstanceOf(SQLException.class);
        }

        try (Cairn b = Cairn.open(bobs)) {
            b.grant("bob's", carol, AccessLevel.EDIT);
        }
        try (Cairn c = Cairn.open(carols)) {
            Dataset d = c.dataset("bob's");
            d.addAll(samples(2));
            assertThat(d.count()).isEqualTo(7);
            assertThatThrownBy(() -> c.rename("bob's", "carol's")).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> c.setDefaultAccess("bob's", AccessLevel.EDIT)).isInstanceOf(RefusedException.class);
        }

        try (Cairn b = Cairn.open(bobs)) {
            b.grant("bob's", carol, AccessLevel.MANAGE);
        }
        try (Cairn c = Cairn.open(carols)) {
            c.rename("bob's", "shared");
            c.rename("shared", "bob's");
            c.grant("bob's", carol, AccessLevel.VIEW);
            assertThatThrownBy(() -> c.dataset("bob's").addAll(samples(1))).isInstanceOf(RefusedException.class);
        }

        try (Cairn b = Cairn.open(bobs)) {
            b.revoke("bob's", carol);
            assertThat(b.access("bob's").users()).isEmpty();
            b.setDefaultAccess("bob's", AccessLevel.VIEW);
        }
        try (Cairn c = Cairn.open(carols)) {
            assertThat(c.dataset("bob's").count()).as("the default level applies to every regular user").isEqualTo(7);
        }
        try (Cairn b = Cairn.open(bobs)) {
            b.setDefaultAccess("bob's", AccessLevel.NONE);
        }
        try (Cairn c = Cairn.open(carols)) {
            assertThatThrownBy(() -> c.dataset("bob's")).isInstanceOf(NotFoundException.class);
        }

        try (Cairn a = Cairn.open(alices)) {
            assertThat(a.access("bob's").yours()).as("admins manage every dataset").isEqualTo(AccessLevel.MANAGE);
            a.grant("bob's", carol, AccessLevel.EDIT);
            a.rename("bob's", "renamed by alice");
            assertThat(a.delete("renamed by alice")).isTrue();
        }
        try (Cairn b = Cairn.open(bobs)) {
            assertThat(b.datasets()).isEmpty();
        }
    }

    @Test
    void theCommandLineShowsAndChangesAccessAndRefusesWhatIsNotYours() {
        setUp(null);
        Map<String, String> bobs = env(bob, BOB_PW);
        Map<String, String> carols = env(carol, CAROL_PW);
        assertThat(Cli.run(bobs, "datasets", "create", "b").exit()).isZero();
        Cli.Result none = Cli.run(carols, "datasets", "info", "b");
        assertThat(none.exit()).as(none.toString()).isEqualTo(4);
        assertThat(Cli.run(bobs, "datasets", "grant", "b", carol, "view").exit()).isZero();
        Cli.Result shown = Cli.run(bobs, "datasets", "access", "b", "--json");
        var json = Json.parse(shown.out());
        assertThat(json.get("owner").asText()).isEqualTo(bob);
        assertThat(json.get("default").asText()).isEqualTo("none");
        assertThat(json.get("users").get(carol).asText()).isEqualTo("view");
        Cli.Result steal = Cli.run(carols, "datasets", "grant", "b", carol, "manage");
        assertThat(steal.exit()).as(steal.toString()).isEqualTo(3);
        assertThat(steal.err()).contains("manage access").doesNotContain("ERROR:", "SQLSTATE", "Where:");
        Cli.Result delete = Cli.run(carols, "datasets", "delete", "b", "--yes");
        assertThat(delete.exit()).as(delete.toString()).isEqualTo(3);
        assertThat(Cli.run(bobs, "datasets", "grant", "b", carol, "owner").exit()).as("no such level").isEqualTo(4);
        assertThat(Cli.run(bobs, "datasets", "grant", "b", "nobody_at_all", "view").exit()).as("no such user")
                .isEqualTo(3);
        assertThat(Cli.run(bobs, "datasets", "grant", "b", "--default", "edit").exit()).isZero();
        assertThat(Cli.run(bobs, "datasets", "revoke", "b", carol).exit()).isZero();
        assertThat(Cli.run(bobs, "datasets", "access", "b").out()).contains("Default:   edit", "Granted:   nobody");
    }

    @Test
    void aRemovedUserKeepsNoAccessToAnything() throws Exception {
        setUp(null);
        bobSharesHisDatasetWithCarol(AccessLevel.EDIT);
        try (Cairn c = Cairn.open(as(carol, CAROL_PW, false, null))) {
            c.create("carol's").addAll(samples(2));
        }
        try (Migrations m = Migrations.open(superuser, Feedback.NONE)) {
            assertThat(m.removeUser(carol)).isTrue();
        }
        long bobs = datasetId("bob's");
        long carols = datasetId("carol's");
        try (Connection c = shared.login(carol, CAROL_PW); Statement s = c.createStatement()) {
            for (String sql : List.of("SELECT count(*) FROM cairn_data.samples_" + bobs,
                    "SELECT count(*) FROM cairn_data.samples_" + carols,
                    "DELETE FROM cairn_data.samples_" + carols,
                    "SELECT count(*) FROM cairn.datasets",
                    "SELECT cairn.delete_dataset('carol''s')")) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class);
            }
        }
        try (Cairn b = Cairn.open(as(bob, BOB_PW, false, null))) {
            assertThat(b.access("bob's").users()).as("the access list forgets a removed user").isEmpty();
        }
    }

    /**
     * A revision may rebuild a dataset's sample table (a scratch table swapped in): the rights the
     * access list grants on it hold afterwards, and no more than those.
     */
    @Test
    void aRevisionThatRebuildsTheSampleTableKeepsWhoMayUseIt() throws Exception {
        setUp(null);
        bobSharesHisDatasetWithCarol(AccessLevel.VIEW);
        List<dev.cairn.api.Revision> revisions = new ArrayList<>(CairnModel.shipped().revisions());
        revisions.add(dev.cairn.api.Revision.dataset("0.9.0", "test: the sample table is rebuilt").compatible(true)
                .up(DatasetAccessTest::rebuild).down(DatasetAccessTest::rebuild).build());
        List<dev.cairn.api.Release> releases = new ArrayList<>(CairnModel.shipped().releases());
        releases.add(dev.cairn.api.Release.of("0.9.0", "0.9.0"));
        dev.cairn.api.DataModel rebuilding = dev.cairn.api.DataModel.of(revisions, releases);
        try (Migrations m = Migrations.open(as(alice, ALICE_PW, true, null), rebuilding, Feedback.NONE)) {
            assertThat(m.migrate(MigrationRequest.all()).complete()).isTrue();
        }
        long id = datasetId("bob's");
        try (Connection c = shared.login(carol, CAROL_PW); Statement s = c.createStatement()) {
            assertThat(number(c, "SELECT count(*) FROM cairn_data.samples_" + id)).as("carol may still view it").isEqualTo(3);
            assertThatThrownBy(() -> s.execute("DELETE FROM cairn_data.samples_" + id)).as("and only view it")
                    .isInstanceOf(SQLException.class);
        }
        try (Connection c = shared.login(bob, BOB_PW); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE cairn_data.samples_" + id + " SET tags = tags")).as("bob still edits it")
                    .isEqualTo(3);
        }
    }

    private static void rebuild(dev.cairn.api.RevisionContext ctx) throws SQLException {
        try (Statement s = ctx.connection().createStatement()) {
            String table = ctx.sampleTable();
            String scratch = ctx.scratchTable("rebuilt");
            s.execute("CREATE TABLE " + scratch + " (LIKE " + table + " INCLUDING ALL)");
            s.execute("INSERT INTO " + scratch + " SELECT * FROM " + table);
            s.execute("DROP TABLE " + table);
            s.execute("ALTER TABLE " + scratch + " RENAME TO \"samples_" + ctx.datasetId() + "\"");
        }
    }

    /**
     * PostgreSQL hides when another role's session started from whoever may not read every
     * session's statistics: a regular user and an admin who is no superuser must still see a
     * migration under way as under way, and one whose session is gone as interrupted.
     */
    @Test
    void usersWhoAreNoSuperusersSeeAMigrationUnderWayAsUnderWay() throws Exception {
        setUp(null);
        try (Connection migrator = Backend.raw(superuser); Statement s = migrator.createStatement()) {
            s.execute("UPDATE cairn.database SET migration_target = '0.3.0', migration_release = '0.5.0', migration_by ="
                    + " 'root@elsewhere', migration_since = now(), migration_pid = pg_backend_pid(), migration_backend_start"
                    + " = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())");
            for (Map<String, String> env : List.of(env(bob, BOB_PW), shared.environment(alice, ALICE_PW, true))) {
                Cli.Result info = Cli.run(env, "migrate", "--info", "--json");
                assertThat(info.exit()).as(info.toString()).isZero();
                assertThat(Json.parse(info.out()).get("database_state").get("migration").get("state")
                        .asText()).as(env.get("CAIRN_DATABASE_URI")).isEqualTo("under way");
            }
        }
        Cli.Result after = Cli.run(env(bob, BOB_PW), "migrate", "--info", "--json");
        assertThat(Json.parse(after.out()).get("database_state").get("migration").get("state").asText())
                .as("its session is gone").isEqualTo("interrupted");
    }

    /**
     * A regular user's lazy upgrade runs the SQL form of each revision inside the database; an
     * admin's client runs the Java form. Both must leave the very same content.
     */
    @Test
    void aRegularUsersLazyUpgradeLeavesWhatAnAdminsUpgradeLeaves() throws Exception {
        setUp("0.1.0");
        CairnConfig bobOld = as(bob, BOB_PW, false, "0.1.0");
        CairnConfig rootOld = superuser.toBuilder().clientRelease("0.1.0").build();
        try (Cairn b = Cairn.open(bobOld)) {
            b.create("by bob").addAll(samples(40));
            b.setDefaultAccess("by bob", AccessLevel.VIEW);
        }
        try (Cairn r = Cairn.open(rootOld)) {
            r.clone("by bob", "by root");
        }
        try (Migrations m = Migrations.open(as(alice, ALICE_PW, true, null), Feedback.NONE)) {
            m.migrate(MigrationRequest.database());
        }
        try (Cairn c = Cairn.open(as(carol, CAROL_PW, false, null))) {
            assertThat(c.dataset("by bob").count()).as("a viewer's load upgrades it lazily").isEqualTo(40);
        }
        try (Cairn r = Cairn.open(superuser)) {
            r.dataset("by root");
        }
        Version latest = CairnModel.shipped().version();
        try (Connection c = Backend.raw(superuser)) {
            assertThat(string(c, "SELECT string_agg(version, ',' ORDER BY name) FROM cairn.datasets"))
                    .isEqualTo(latest + "," + latest);
            String columns = "SELECT string_agg(column_name || ' ' || data_type || ' ' || coalesce(column_default, ''),"
                    + " ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'cairn_data'"
                    + " AND table_name = 'samples_";
            long bobs = datasetId("by bob");
            long roots = datasetId("by root");
            assertThat(string(c, columns + bobs + "'")).isEqualTo(string(c, columns + roots + "'"));
            String content = "SELECT md5(string_agg(id || filepath || tags::text || coalesce(metadata::text, '')"
                    + " || fields::text, '|' ORDER BY id)) FROM cairn_data.samples_";
            assertThat(string(c, content + bobs)).as("the SQL and the Java revisions leave the same content")
                    .isEqualTo(string(c, content + roots));
            assertThat(number(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'cairn_data.samples_" + bobs
                    + "'::regclass AND tgname = 'touch'")).isEqualTo(1);
            assertThat(string(c, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'cairn_data.samples_" + bobs
                    + "'::regclass")).as("the admin role owns what a regular user's upgrade made")
                    .isEqualTo(Privileges.Roles.of(shared.uri().database()).admin());
        }
        try (Cairn b = Cairn.open(as(bob, BOB_PW, false, null))) {
            try (var all = b.dataset("by bob").stream()) {
                assertThat(all.toList()).as("boxes read back as [x, y, w, h], whichever way they were converted")
                        .allSatisfy(x -> assertThat(x.get("boxes")).isEqualTo(Detections.of(
                                Detection.of("cat", BoundingBox.of(0.125, 0.25, 0.5, 0.375)),
                                Detection.of("dog", BoundingBox.of(0.5, 0.5, 0.25, 0.125)))));
            }
        }
    }

    private long datasetId(String name) {
        return Queries.datasetId(superuser, name);
    }

}
