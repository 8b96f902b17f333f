package dev.cairn.security;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Logins;
import dev.cairn.testing.Queries;
import dev.cairn.testing.SharedDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import static dev.cairn.testing.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shared database as a team would set it up, to attack: the superuser ran {@code cairn admin
 * init} (with a 0.1.0 client, so that the database starts old) and added {@code alice} (admin),
 * {@code bob} and {@code carol} (regular) with scram passwords. Bob imported two datasets with
 * detections at 0.1.0: {@code bob-boxes}, which he loaded after alice moved the database to 0.4.0
 * (a lazy upgrade, by a regular user), and {@code bob-lazy}, left at 0.1.0 for a later lazy upgrade.
 * Alice imported {@code alice-private} at 0.4.0. Nobody granted anything to anyone.
 *
 * <p>Login names carry the database's name: roles belong to the whole server, and every fixture
 * has a database of its own.
 */
final class SecurityFixture {

    static final Path QUICKSTART = Path.of("examples/quickstart.jsonl").toAbsolutePath();
    static final String ALICE_DATASET = "alice-private";
    static final String BOB_DATASET = "bob-boxes";
    static final String BOB_LAZY = "bob-lazy";

    /** The advisory lock key a database migration holds (dev.cairn.migrate.DatabaseTable.MIGRATE_DATABASE_LOCK). */
    static final long MIGRATION_LOCK = 0x636169726e0002L;
    /** The advisory lock key of the version record (dev.cairn.migrate.DatabaseTable.RECORD_LOCK). */
    static final long RECORD_LOCK = 0x636169726e0003L;

    private final SharedDatabase shared;
    final CairnConfig superuser;
    final DatabaseUri uri;
    final String db;
    final String alice;
    final String bob;
    final String carol;
    final String adminRole;
    final String userRole;

    private SecurityFixture(SharedDatabase shared) {
        this.shared = shared;
        this.superuser = shared.superuser();
        this.uri = shared.uri();
        this.db = uri.database();
        this.alice = shared.user("alice");
        this.bob = shared.user("bob");
        this.carol = shared.user("carol");
        this.adminRole = bounded("cairn_admin_" + db);
        this.userRole = bounded("cairn_user_" + db);
    }

    private static String bounded(String name) {
        return name.length() <= 63 ? name : name.substring(0, 63);
    }

    static SecurityFixture build() {
        SecurityFixture f = new SecurityFixture(SharedDatabase.fresh());
        f.setUp();
        return f;
    }

    static String password(String user) {
        return "pw of " + user.substring(0, user.indexOf('_')) + ": it's 'quoted' \\ too";
    }

    private void setUp() {
        Map<String, String> root = rootEnv();
        root.put("CAIRN_CLIENT_RELEASE", "0.1.0");
        ok(root, "admin", "init");
        Cli.okWithInput(root, password(alice) + "\n", "admin", "add-user", alice, "--admin", "--password-stdin");
        Cli.okWithInput(root, password(bob) + "\n", "admin", "add-user", bob, "--password-stdin");
        Cli.okWithInput(root, password(carol) + "\n", "admin", "add-user", carol, "--password-stdin");
        Map<String, String> oldBob = env(bob, false);
        oldBob.put("CAIRN_CLIENT_RELEASE", "0.1.0");
        ok(oldBob, "import", QUICKSTART.toString(), "--name", BOB_DATASET);
        ok(oldBob, "import", QUICKSTART.toString(), "--name", BOB_LAZY);
        ok(env(alice, true), "migrate");
        ok(env(bob, false), "datasets", "info", BOB_DATASET);
        ok(env(alice, true), "import", QUICKSTART.toString(), "--name", ALICE_DATASET);
        assertThat(datasetVersion(BOB_DATASET)).as("bob's dataset upgraded lazily by bob").isEqualTo("0.4.0");
        assertThat(datasetVersion(BOB_LAZY)).isEqualTo("0.1.0");
    }

    /** The environment of the superuser who ran {@code admin init}, as admin. */
    Map<String, String> rootEnv() {
        return new HashMap<>(Backend.environment(superuser));
    }

    /** The environment of the {@code cairn} command for a login, as admin or not. */
    Map<String, String> env(String user, boolean admin) {
        return shared.environment(user, password(user), admin);
    }

    /** The settings through which a login reaches the database, as admin or not. */
    CairnConfig config(String user, boolean admin) {
        return shared.as(user, password(user), admin).build();
    }

    /** A JDBC session of a login, with its password, as the user would open one with psql. */
    Connection login(String user) throws SQLException {
        return Logins.login(uri, user, password(user), "attack by " + user);
    }

    /**
     * The superuser's session, with a search path that holds nothing a regular user could plant
     * (otherwise an operator such as {@code public.=(text, varchar)} would run as the superuser in
     * the harness's own queries).
     */
    Connection superuserConnection() throws SQLException {
        Connection c = Backend.raw(superuser);
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("SET search_path = pg_catalog, pg_temp");
        }
        return c;
    }

    Snapshot snapshot() throws SQLException {
        try (Connection c = superuserConnection()) {
            return Snapshot.take(c);
        }
    }

    long datasetId(String name) throws SQLException {
        try (Connection c = superuserConnection()) {
            return Queries.datasetId(c, name);
        }
    }

    String datasetVersion(String name) {
        try (Connection c = superuserConnection()) {
            return Queries.datasetVersion(c, name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The qualified name of a dataset's sample table. */
    String sampleTable(String dataset) throws SQLException {
        return "cairn_data.samples_" + datasetId(dataset);
    }

    /** Replaces ${alice}, ${bob}, ${carol}, ${admin_role}, ${user_role}, ${db}, ${alice_table}, ${bob_table}, ... */
    String expand(String sql) throws SQLException {
        return sql.replace("${alice_name}", alice).replace("${alice}", q(alice)).replace("${bob}", q(bob)).replace("${carol}", q(carol))
                .replace("${admin_role}", q(adminRole)).replace("${user_role}", q(userRole)).replace("${db}", q(db))
                .replace("${superuser}", q(uri.user()))
                .replace("${alice_table}", sampleTable(ALICE_DATASET)).replace("${bob_table}", sampleTable(BOB_DATASET))
                .replace("${lazy_table}", sampleTable(BOB_LAZY))
                .replace("${alice_id}", Long.toString(datasetId(ALICE_DATASET)))
                .replace("${bob_id}", Long.toString(datasetId(BOB_DATASET)))
                .replace("${alice_touch}", "cairn_data.\"samples_" + datasetId(ALICE_DATASET) + "_touch\"")
                .replace("${bob_touch}", "cairn_data.\"samples_" + datasetId(BOB_DATASET) + "_touch\"");
    }

    /** A role name quoted as an identifier. */
    static String q(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

}
