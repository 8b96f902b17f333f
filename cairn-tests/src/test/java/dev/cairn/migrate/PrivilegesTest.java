package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import dev.cairn.testing.Queries;
import dev.cairn.testing.SharedDatabase;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.cairn.testing.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On a shared server set up with {@code cairn admin init}, the database enforces who may do what:
 * a regular user logs in and tries, with Cairn and with raw SQL over their own connection, to
 * change what only admins may change; every attempt fails and nothing changes.
 */
class PrivilegesTest {

    private static final Path QUICKSTART = Path.of("examples/quickstart.jsonl").toAbsolutePath();

    private final SharedDatabase shared = SharedDatabase.fresh();
    private final CairnConfig superuser = shared.superuser();
    private final String bob = shared.user("bob");
    private final String alice = shared.user("alice");

    private Map<String, String> as(String user, String password, boolean admin, String release) {
        Map<String, String> env = shared.environment(user, password, admin);
        if (release != null) {
            env.put("CAIRN_CLIENT_RELEASE", release);
        }
        return env;
    }

    private void setUp() {
        Map<String, String> root = new HashMap<>(Backend.environment(superuser));
        root.put("CAIRN_CLIENT_RELEASE", "0.1.0");
        ok(root, "admin", "init");
        Cli.okWithInput(root, "bob's p@ss: word\n", "admin", "add-user", bob, "--password-stdin");
        Cli.okWithInput(root, "alice-secret\n", "admin", "add-user", alice, "--admin", "--password-stdin");
    }

    @Test
    void aRegularUserUsesDatasetsAndLetsThemUpgradeLazilyButCannotTouchTheRecords() throws Exception {
        setUp();
        Map<String, String> bobOld = as(bob, "bob's p@ss: word", false, "0.1.0");
        Map<String, String> bobNew = as(bob, "bob's p@ss: word", false, null);
        Map<String, String> aliceAdmin = as(alice, "alice-secret", true, null);

        ok(bobOld, "import", QUICKSTART.toString());
        ok(bobOld, "datasets", "create", "bob's own");
        assertThat(ok(bobOld, "datasets", "list").out()).contains("quickstart", "bob's own");

        JsonNode users = Json.parse(ok(aliceAdmin, "admin", "users", "--json").out());
        assertThat(users).extracting(u -> u.get("name").asText() + "=" + u.get("admin").asBoolean())
                .containsExactlyInAnyOrder(bob + "=false", alice + "=true");

        String records = recordsChecksum();
        Cli.Result pretend = Cli.run(as(bob, "bob's p@ss: word", true, null), "migrate");
        assertThat(pretend.exit()).as(pretend.toString()).isEqualTo(3);
        assertThat(pretend.err()).contains("may not change", "cairn admin add-user");
        assertThat(Cli.run(as(bob, "bob's p@ss: word", true, null), "migrate", "--policy", "auto").exit()).isEqualTo(3);
        assertThat(Cli.run(as(bob, "bob's p@ss: word", true, null), "admin", "add-user", "mallory").exit()).isNotZero();
        assertThat(recordsChecksum()).isEqualTo(records);

        try (Connection c = shared.login(bob, "bob's p@ss: word"); Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "UPDATE cairn.database SET version = '0.4.0'",
                    "UPDATE cairn.database SET policy = 'auto'",
                    "UPDATE cairn.database SET min_client_version = '0.1.0', written_by_release = '9.9.9'",
                    "UPDATE cairn.database SET pinned = true",
                    "UPDATE cairn.database SET migration_target = '0.1.0'",
                    "DELETE FROM cairn.database",
                    "INSERT INTO cairn.database (id, version, min_client_version, written_by_release, policy)"
                            + " VALUES (2, '0.4.0', '0.4.0', '0.4.0', 'auto')",
                    "TRUNCATE cairn.database",
                    "ALTER TABLE cairn.database DROP CONSTRAINT database_id_check",
                    "DROP TABLE cairn.database",
                    "ALTER TABLE cairn.datasets ADD COLUMN sneaky int",
                    "CREATE TABLE cairn.saved_views (dataset_id bigint, name text, query jsonb)",
                    "CREATE TABLE cairn.sneaky (x int)",
                    "CREATE FUNCTION cairn.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                    "DROP TRIGGER guard_version ON cairn.datasets",
                    "ALTER TABLE cairn.datasets DISABLE TRIGGER guard_version",
                    "UPDATE cairn.datasets SET version = '0.4.0'",
                    "UPDATE cairn.datasets SET version = 'oops'",
                    "DELETE FROM cairn.history",
                    "TRUNCATE cairn.history",
                    "ALTER TABLE cairn.history DISABLE ROW LEVEL SECURITY",
                    "DROP SCHEMA cairn CASCADE",
                    "ALTER SCHEMA cairn OWNER TO CURRENT_USER",
                    "SET ROLE " + Privileges.Roles.of(shared.uri().database()).admin(),
                    "GRANT " + Privileges.Roles.of(shared.uri().database()).admin() + " TO CURRENT_USER")) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class);
            }
            assertThatThrownBy(() -> s.executeUpdate("UPDATE cairn.history SET outcome = 'forged'"))
                    .as("history entries change only through the checked paths").isInstanceOf(SQLException.class);
        }
        assertThat(recordsChecksum()).as("nothing of the records changed").isEqualTo(records);

        ok(aliceAdmin, "migrate");
        JsonNode info = Json.parse(ok(bobNew, "migrate", "--info", "--json").out());
        assertThat(info.get("database_state").get("version").asText()).isEqualTo("0.4.0");
        ok(bobNew, "datasets", "info", "quickstart");
        info = Json.parse(ok(bobNew, "migrate", "--info", "--json").out());
        assertThat(info.get("datasets")).filteredOn(d -> d.get("name").asText().equals("quickstart"))
                .allSatisfy(d -> assertThat(d.get("version").asText()).as("a regular user upgraded it lazily")
                        .isEqualTo("0.4.0"));
        JsonNode history = Json.parse(ok(bobNew, "migrate", "--history", "--json").out());
        assertThat(history.get(0).get("database_user").asText()).isEqualTo(bob);
        ok(bobNew, "import", QUICKSTART.toString(), "--name", "made after the upgrade");
        ok(aliceAdmin, "migrate", "--all");
        ok(aliceAdmin, "migrate", "--all", "-v", "0.2.0");
        ok(as(bob, "bob's p@ss: word", false, "0.2.0"), "export", "made after the upgrade");
        ok(aliceAdmin, "migrate", "--all");
        ok(bobNew, "datasets", "delete", "made after the upgrade", "--yes");

        Cli.Result notHers = Cli.run(aliceAdmin, "admin", "remove-user", bob);
        assertThat(notHers.exit()).as("a Cairn admin is not a manager of database roles").isEqualTo(3);
        assertThat(notHers.err()).contains("manage the database's Cairn roles");
        Map<String, String> root = new HashMap<>(Backend.environment(superuser));
        ok(root, "admin", "remove-user", bob);
        assertThat(Cli.run(bobNew, "datasets", "list").exit()).as("no longer a Cairn user").isNotZero();
    }

    @Test
    void onlyARoleThatCanCreateRolesSetsUpPrivilegesAndAddingUsersNeedsThem() throws Exception {
        Map<String, String> root = new HashMap<>(Backend.environment(superuser));
        Cli.Result early = Cli.runWithInput(root, "pw\n", "admin", "add-user", bob, "--password-stdin");
        assertThat(early.exit()).isEqualTo(3);
        setUp();
        Map<String, String> bobEnv = as(bob, "bob's p@ss: word", true, null);
        Cli.Result r = Cli.run(bobEnv, "admin", "init");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("can create roles");
        assertThat(Cli.run(root, "admin", "add-user", "bad\u0001name").exit()).isEqualTo(4);
        assertThat(Cli.run(root, "admin", "add-user", shared.user("no_such_login")).exit())
                .as("a new login needs a password").isEqualTo(4);
        ok(root, "admin", "init");
        Map<String, String> local = new HashMap<>(root);
        local.remove("CAIRN_DATABASE_URI");
        local.put("CAIRN_DATABASE_NAME", "anything");
        assertThat(Cli.run(local, "admin", "init").exit()).as("the local database has no users to set up").isEqualTo(4);
    }

    private String recordsChecksum() throws SQLException {
        return Queries.query(superuser, c -> Queries.string(c, "SELECT md5(string_agg(x::text, '|')) FROM"
                + " (SELECT * FROM cairn.database) x") + "/" + Queries.string(c, "SELECT md5(string_agg(x::text, '|'"
                + " ORDER BY x.id)) FROM cairn.history x")) + "/" + Backend.checksum(superuser);
    }
}
