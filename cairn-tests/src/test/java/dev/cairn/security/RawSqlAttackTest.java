package dev.cairn.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import dev.cairn.testing.Queries;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.cairn.security.Attack.Who.CAROL;
import static dev.cairn.security.Attack.invisible;
import static dev.cairn.security.Attack.noEffect;
import static dev.cairn.security.Attack.refused;
import static dev.cairn.security.SecurityFixture.ALICE_DATASET;
import static dev.cairn.security.SecurityFixture.BOB_DATASET;
import static dev.cairn.security.SecurityFixture.BOB_LAZY;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * A regular user of a shared database ({@link SecurityFixture}) logs in over JDBC with their own
 * password and attacks it with raw SQL: Cairn's records, other users' datasets and sample tables,
 * roles, the catalog, code planted for an admin to run, locks. Each attack must be refused (or
 * leave nothing that matters changed), and a snapshot of everything that must not change
 * ({@link Snapshot}) is the same afterwards. DESIGN.md, "Trust and access" and invariant 9.
 *
 * <p>The fixture is built once and rebuilt only after a test that changed it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawSqlAttackTest {

    private SecurityFixture f;
    private Snapshot baseline;
    private final List<String> rebuilds = new ArrayList<>();

    @BeforeEach
    void fixture() throws SQLException {
        if (f != null && f.snapshot().changesSince(baseline).isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        f = SecurityFixture.build();
        baseline = f.snapshot();
        rebuilds.add(String.format("%.1f s", (System.nanoTime() - started) / 1e9));
    }

    @AfterAll
    void summary() {
        System.out.println("RawSqlAttackTest [" + Backend.name() + "]: fixture built " + rebuilds.size() + " times " + rebuilds);
    }

    // ---------------------------------------------------------------------------------------------
    // Raw SQL, one statement list a case

    static List<Attack> attacks() {
        return List.of(
                // issue 8, attack 2: the records are writable by every user
                refused("issue 2: set another user's dataset version down to re-run a revision",
                        "UPDATE cairn.datasets SET version = '0.3.0' WHERE id = ${alice_id}"),
                refused("issue 2: drop another user's field schema so that export loses labels",
                        "UPDATE cairn.datasets SET fields = '[]' WHERE id = ${alice_id}"),
                refused("issue 2: write saved views of another user's dataset",
                        "INSERT INTO cairn.saved_views (dataset_id, name, query) VALUES (${alice_id}, 'mine', '{}')",
                        "UPDATE cairn.saved_views SET query = '{}'",
                        "DELETE FROM cairn.saved_views"),
                refused("issue 2: write one's own dataset's record behind Cairn's back",
                        "UPDATE cairn.datasets SET version = '0.1.0' WHERE id = ${bob_id}",
                        "UPDATE cairn.datasets SET fields = '[]', sample_count = 0 WHERE id = ${bob_id}"),
                // issue 8, attack 4: forged history
                refused("issue 4: insert a history entry by alice@laptop",
                        "INSERT INTO cairn.history (to_version, by_whom, client_release, command) VALUES ('0.4.0',"
                                + " 'alice@laptop', '0.4.0', 'cairn migrate --all')"),
                refused("issue 4: insert a history entry in another database user's name",
                        "INSERT INTO cairn.history (to_version, by_whom, database_user, client_release, command)"
                                + " VALUES ('0.4.0', 'alice@laptop', '${alice_name}', '0.4.0', 'x')"),
                refused("issue 4: rewrite one's own history entries",
                        "UPDATE cairn.history SET by_whom = 'alice@laptop' WHERE database_user = session_user",
                        "UPDATE cairn.history SET outcome = 'failed' WHERE database_user = session_user"),
                // issue 8, attack 6: no ownership
                invisible("issue 6: read another user's sample table", Attack.Who.BOB, "SELECT * FROM ${alice_table}"),
                refused("issue 6: write another user's samples",
                        "UPDATE ${alice_table} SET tags = '{}'",
                        "DELETE FROM ${alice_table}",
                        "INSERT INTO ${alice_table} (id, filepath) VALUES (gen_random_uuid(), '/x')"),
                refused("issue 6: rename or delete another user's dataset record",
                        "UPDATE cairn.datasets SET name = 'stolen' WHERE id = ${alice_id}",
                        "DELETE FROM cairn.datasets WHERE id = ${alice_id}"),
                refused("issue 6: ALTER or DROP another user's sample table",
                        "ALTER TABLE ${alice_table} ADD COLUMN sneaky int",
                        "ALTER TABLE ${alice_table} RENAME TO stolen",
                        "ALTER TABLE ${alice_table} DISABLE TRIGGER ALL",
                        "DROP TRIGGER touch ON ${alice_table}",
                        "DROP TABLE ${alice_table}"),

                // creating objects anywhere
                refused("CREATE in public (PostgreSQL 14 lets everyone by default)",
                        "CREATE TABLE public.sneaky (x int)",
                        "CREATE FUNCTION public.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                        "CREATE VIEW public.datasets AS SELECT 1 AS id"),
                refused("CREATE in schema cairn",
                        "CREATE TABLE cairn.sneaky (x int)",
                        "CREATE FUNCTION cairn.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                        "CREATE VIEW cairn.sneaky_view AS SELECT 1 AS x"),
                refused("CREATE in schema cairn_data",
                        "CREATE TABLE cairn_data.samples_999999 (x int)",
                        "CREATE FUNCTION cairn_data.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                        "CREATE SEQUENCE cairn_data.sneaky_seq"),
                refused("CREATE SCHEMA of one's own", "CREATE SCHEMA sneaky"),
                refused("shadow a built-in function through search_path (public.lower(varchar))",
                        "CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql AS 'SELECT ''x'''"),
                refused("shadow the = operator for text = varchar (pgjdbc binds strings as varchar)",
                        "CREATE FUNCTION public.eq(text, varchar) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
                        "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.eq)"),
                refused("CREATE TYPE, AGGREGATE and DOMAIN in public and cairn_data",
                        "CREATE TYPE public.sneaky AS (x int)",
                        "CREATE DOMAIN cairn_data.sneaky AS int",
                        "CREATE AGGREGATE public.sneaky(int) (SFUNC = int4pl, STYPE = int)"),
                noEffect("objects in pg_temp stay in one's own session",
                        "CREATE TEMP TABLE datasets (id int)",
                        "CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE sql AS 'SELECT ''x'''",
                        "CREATE TEMP VIEW database AS SELECT 1"),
                refused("ALTER DEFAULT PRIVILEGES for the admin role, which makes Cairn's objects",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE ${admin_role} GRANT ALL ON TABLES TO PUBLIC",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE ${admin_role} IN SCHEMA cairn GRANT ALL ON TABLES TO ${bob}"),
                // PostgreSQL lets any role set default privileges for what it and its roles make, but
                // neither a regular user nor the user role makes anything: nothing of Cairn's changes
                noEffect("ALTER DEFAULT PRIVILEGES for oneself and for the user role, which create nothing",
                        "ALTER DEFAULT PRIVILEGES IN SCHEMA cairn_data GRANT ALL ON TABLES TO PUBLIC",
                        "ALTER DEFAULT PRIVILEGES FOR ROLE ${user_role} GRANT ALL ON TABLES TO PUBLIC"),
                refused("large objects: import a server file", "SELECT lo_import('/etc/passwd')"),
                // any role may make large objects of its own (PostgreSQL has no privilege for it); they
                // are outside Cairn and change nothing of it
                noEffect("large objects of one's own", "SELECT lo_create(0)", "SELECT lo_from_bytea(0, 'x')"),
                refused("setval and ALTER SEQUENCE on the records' identity sequences",
                        "SELECT setval(pg_get_serial_sequence('cairn.datasets', 'id'), 1, false)",
                        "SELECT setval(pg_get_serial_sequence('cairn.history', 'id'), 1, false)",
                        "ALTER SEQUENCE cairn.datasets_id_seq RESTART WITH 1"),

                // roles
                refused("SET ROLE and SET SESSION AUTHORIZATION to the admin role, alice or the superuser",
                        "SET ROLE ${admin_role}",
                        "SET ROLE ${alice}",
                        "SET SESSION AUTHORIZATION ${alice}",
                        "SET SESSION AUTHORIZATION ${superuser}"),
                refused("GRANT the admin role or the user role to oneself or others",
                        "GRANT ${admin_role} TO ${bob}",
                        "GRANT ${admin_role} TO ${user_role}",
                        "GRANT ${user_role} TO ${carol} WITH ADMIN OPTION",
                        "REVOKE ${user_role} FROM ${carol}"),
                refused("ALTER ROLE one's own attributes",
                        "ALTER ROLE ${bob} SUPERUSER",
                        "ALTER ROLE ${bob} CREATEROLE",
                        "ALTER ROLE ${bob} CREATEDB",
                        "ALTER ROLE ${bob} BYPASSRLS",
                        "ALTER ROLE ${bob} REPLICATION"),
                refused("ALTER ROLE others: passwords, attributes, logins",
                        "ALTER ROLE ${alice} PASSWORD 'mine'",
                        "ALTER ROLE ${alice} NOLOGIN",
                        "ALTER ROLE ${carol} VALID UNTIL '2000-01-01'",
                        "CREATE ROLE sneaky_${db} LOGIN"),
                refused("ALTER DATABASE SET and ALTER ROLE IN DATABASE SET for others",
                        "ALTER DATABASE ${db} SET search_path = public, pg_catalog",
                        "ALTER ROLE ${alice} IN DATABASE ${db} SET search_path = public, pg_catalog",
                        "ALTER ROLE ${alice} IN DATABASE ${db} RESET role",
                        "ALTER ROLE ALL IN DATABASE ${db} SET search_path = public",
                        "ALTER ROLE ${user_role} IN DATABASE ${db} SET search_path = public"),
                refused("ALTER DATABASE owner, name and connection limit",
                        "ALTER DATABASE ${db} OWNER TO ${bob}",
                        "ALTER DATABASE ${db} CONNECTION LIMIT 1",
                        "ALTER DATABASE ${db} RENAME TO sneaky"),

                // the server itself
                refused("CREATE EXTENSION (untrusted and trusted ones)",
                        "CREATE EXTENSION dblink",
                        "CREATE EXTENSION adminpack",
                        "CREATE EXTENSION file_fdw",
                        "CREATE EXTENSION pgcrypto"),
                refused("dblink to the server as another user",
                        "SELECT dblink_connect('host=127.0.0.1 dbname=postgres')"),
                refused("COPY to and from programs and server files",
                        "COPY (SELECT 1) TO PROGRAM 'touch /tmp/cairn-pwned'",
                        "COPY cairn.datasets FROM PROGRAM 'echo x'",
                        "COPY (SELECT 1) TO '/tmp/cairn-pwned'",
                        "COPY cairn.datasets FROM '/etc/passwd'"),
                refused("read server files and directories",
                        "SELECT pg_read_file('/etc/passwd')",
                        "SELECT pg_read_binary_file('PG_VERSION')",
                        "SELECT pg_ls_dir('.')",
                        "SELECT pg_stat_file('PG_VERSION')"),
                refused("server administration functions and ALTER SYSTEM",
                        "SELECT pg_reload_conf()",
                        "SELECT pg_rotate_logfile()",
                        "ALTER SYSTEM SET log_statement = 'none'"),
                refused("CREATE EVENT TRIGGER", "CREATE EVENT TRIGGER sneaky ON ddl_command_start EXECUTE FUNCTION"
                        + " pg_catalog.pg_reload_conf()"),
                refused("CREATE PUBLICATION and SUBSCRIPTION",
                        "CREATE PUBLICATION sneaky FOR TABLE cairn.datasets",
                        "CREATE PUBLICATION sneaky_all FOR ALL TABLES",
                        "CREATE SUBSCRIPTION sneaky CONNECTION 'host=127.0.0.1' PUBLICATION p WITH (connect = false)"),
                refused("CREATE CAST and CONVERSION",
                        "CREATE CAST (text AS bigint) WITH INOUT AS IMPLICIT",
                        "CREATE CONVERSION public.sneaky FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1"),
                refused("CREATE LANGUAGE, FOREIGN DATA WRAPPER and SERVER",
                        "CREATE LANGUAGE plperlu",
                        "CREATE FOREIGN DATA WRAPPER sneaky",
                        "CREATE SERVER sneaky FOREIGN DATA WRAPPER postgres_fdw"),
                refused("COMMENT ON Cairn's objects, others' roles and the database",
                        "COMMENT ON TABLE cairn.database IS 'pwned'",
                        "COMMENT ON TABLE ${alice_table} IS 'pwned'",
                        "COMMENT ON ROLE ${alice} IS 'pwned'",
                        "COMMENT ON DATABASE ${db} IS 'pwned'",
                        "COMMENT ON SCHEMA cairn IS 'pwned'"),
                refused("SECURITY LABEL on Cairn's objects",
                        "SECURITY LABEL ON TABLE cairn.database IS 'pwned'",
                        "SECURITY LABEL ON ROLE ${alice} IS 'pwned'"),

                // Cairn's records and their guards
                refused("write cairn.database: version, policy, pin, accepted range, migration marker",
                        "UPDATE cairn.database SET version = '0.1.0'",
                        "UPDATE cairn.database SET policy = 'auto'",
                        "UPDATE cairn.database SET pinned = NOT pinned",
                        "UPDATE cairn.database SET min_client_version = '0.1.0', written_by_release = '0.1.0'",
                        "UPDATE cairn.database SET migration_target = '0.1.0', migration_by = 'alice@laptop'",
                        "DELETE FROM cairn.database",
                        "INSERT INTO cairn.database (id, version, min_client_version, written_by_release, policy)"
                                + " VALUES (1, '0.4.0', '0.1.0', '0.4.0', 'auto') ON CONFLICT (id) DO UPDATE SET policy"
                                + " = 'auto'"),
                refused("insert a dataset row directly (no sample table, a version of one's choosing)",
                        "INSERT INTO cairn.datasets (name, version, min_client_version) VALUES ('forged', '0.4.0', '0.1.0')",
                        "INSERT INTO cairn.datasets (name, version, min_client_version) VALUES ('old', '0.1.0', '0.1.0')"),
                refused("edit cairn.dataset_access directly",
                        "INSERT INTO cairn.dataset_access SELECT * FROM cairn.dataset_access LIMIT 0",
                        "UPDATE cairn.dataset_access SET dataset_id = dataset_id",
                        "DELETE FROM cairn.dataset_access",
                        "TRUNCATE cairn.dataset_access"),
                refused("TRUNCATE the records and another user's samples",
                        "TRUNCATE cairn.history",
                        "TRUNCATE cairn.datasets CASCADE",
                        "TRUNCATE ${alice_table}",
                        "TRUNCATE ${bob_table}"),
                refused("REFERENCES: a foreign key that pins another user's samples or the records",
                        "ALTER TABLE ${bob_table} ADD FOREIGN KEY (id) REFERENCES ${alice_table} (id)",
                        "ALTER TABLE ${bob_table} ADD COLUMN ds bigint REFERENCES cairn.datasets (id)"),
                refused("LOCK TABLE the records and another user's samples",
                        "BEGIN; LOCK TABLE cairn.database IN ACCESS EXCLUSIVE MODE NOWAIT",
                        "BEGIN; LOCK TABLE cairn.datasets IN EXCLUSIVE MODE NOWAIT",
                        "BEGIN; LOCK TABLE cairn.history IN SHARE MODE NOWAIT",
                        "BEGIN; LOCK TABLE ${alice_table} IN ACCESS EXCLUSIVE MODE NOWAIT"),
                refused("row locks on the records (SELECT FOR UPDATE / FOR SHARE)",
                        "BEGIN; SELECT * FROM cairn.database FOR UPDATE NOWAIT",
                        "BEGIN; SELECT * FROM cairn.datasets WHERE id = ${alice_id} FOR SHARE NOWAIT"),
                refused("CREATE POLICY on the records, and turning row-level security off",
                        "CREATE POLICY sneaky ON cairn.datasets FOR ALL USING (true) WITH CHECK (true)",
                        "CREATE POLICY sneaky ON cairn.history FOR ALL USING (true) WITH CHECK (true)",
                        "ALTER TABLE cairn.history DISABLE ROW LEVEL SECURITY",
                        "ALTER TABLE cairn.datasets NO FORCE ROW LEVEL SECURITY",
                        "DROP POLICY IF EXISTS readable ON cairn.history"),
                refused("CREATE TRIGGER and RULE on the records",
                        "CREATE TRIGGER sneaky BEFORE UPDATE ON cairn.datasets FOR EACH ROW EXECUTE FUNCTION"
                                + " suppress_redundant_updates_trigger()",
                        "CREATE RULE sneaky AS ON UPDATE TO cairn.datasets DO INSTEAD NOTHING"),
                refused("replace or drop Cairn's functions and triggers",
                        "CREATE OR REPLACE FUNCTION cairn.guard_dataset_version() RETURNS trigger LANGUAGE plpgsql AS"
                                + " 'BEGIN RETURN NEW; END'",
                        "ALTER FUNCTION cairn.guard_dataset_version() SECURITY DEFINER",
                        "DROP TRIGGER guard_version ON cairn.datasets",
                        "CREATE OR REPLACE FUNCTION ${alice_touch}() RETURNS trigger LANGUAGE plpgsql AS"
                                + " 'BEGIN RETURN NEW; END'",
                        "DROP FUNCTION ${alice_touch}() CASCADE"),
                refused("ALTER ... OWNER of the records, another user's table, one's own table to the admin role",
                        "ALTER TABLE cairn.datasets OWNER TO ${bob}",
                        "ALTER TABLE ${alice_table} OWNER TO ${bob}",
                        "ALTER TABLE ${bob_table} OWNER TO ${admin_role}",
                        "ALTER SCHEMA cairn_data OWNER TO ${bob}",
                        "ALTER FUNCTION cairn.guard_dataset_version() OWNER TO ${bob}"),
                refused("ALTER the records' columns and defaults",
                        "ALTER TABLE cairn.history ALTER COLUMN database_user SET DEFAULT 'alice'",
                        "ALTER TABLE cairn.datasets DROP CONSTRAINT datasets_name_key",
                        "ALTER TABLE cairn.datasets ADD COLUMN sneaky int"),
                refused("GRANT and REVOKE on others' objects",
                        "GRANT SELECT ON ${alice_table} TO ${carol}",
                        "GRANT ALL ON cairn.datasets TO PUBLIC",
                        "GRANT CREATE ON SCHEMA cairn TO ${bob}",
                        "REVOKE ALL ON cairn.database FROM ${admin_role}",
                        "GRANT ALL ON ${bob_table} TO ${carol}"),
                refused("REINDEX, CLUSTER, CREATE STATISTICS on the records and others' tables",
                        "REINDEX TABLE cairn.datasets",
                        "CLUSTER cairn.datasets USING datasets_pkey",
                        "CREATE STATISTICS public.sneaky ON id, filepath FROM ${alice_table}"),

                // what another user cannot see
                invisible("read the records of datasets one cannot see", CAROL,
                        "SELECT * FROM cairn.datasets WHERE name IN ('" + BOB_DATASET + "', '" + ALICE_DATASET + "')",
                        "SELECT * FROM cairn.datasets WHERE id IN (${alice_id}, ${bob_id})"),
                invisible("read the history and saved views of datasets one cannot see", CAROL,
                        "SELECT * FROM cairn.history WHERE dataset_id IN (${alice_id}, ${bob_id})",
                        "SELECT * FROM cairn.saved_views WHERE dataset_id IN (${alice_id}, ${bob_id})"),
                invisible("read the samples of a dataset one cannot see", CAROL,
                        "SELECT * FROM ${bob_table}",
                        "SELECT * FROM ${alice_table}",
                        "SELECT count(*) FROM ${bob_table} HAVING count(*) > 0"),
                invisible("read another user's access list", CAROL,
                        "SELECT * FROM cairn.dataset_access WHERE dataset_id IN (${alice_id}, ${bob_id})"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void rawSql(Attack attack) throws SQLException {
        Snapshot before = f.snapshot();
        List<String> accepted = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        List<String> statements = new ArrayList<>();
        for (String template : attack.sql()) {
            statements.add(f.expand(template));
        }
        int attacker;
        try (Connection c = f.login(attack.who() == CAROL ? f.carol : f.bob)) {
            attacker = (int) Queries.number(c, "SELECT pg_backend_pid()");
            for (String statement : statements) {
                String sql = statement;
                boolean transaction = sql.startsWith("BEGIN;");
                if (transaction) {
                    sql = sql.substring("BEGIN;".length()).strip();
                    c.setAutoCommit(false);
                }
                try (Statement s = c.createStatement()) {
                    boolean rows = s.execute(sql);
                    // GRANT and REVOKE by a role without the right only warn, and change nothing
                    java.sql.SQLWarning warning = s.getWarnings();
                    if (warning != null && warning.getMessage() != null
                            && warning.getMessage().matches("(?s).*no privileges (were granted|could be revoked).*")) {
                        refusals.add("warning " + firstLine(warning.getMessage()));
                        continue;
                    }
                    if (attack.expect() == Attack.Expect.NOTHING_VISIBLE) {
                        int n = 0;
                        if (rows) {
                            try (ResultSet rs = s.getResultSet()) {
                                while (rs.next()) {
                                    n++;
                                }
                            }
                        }
                        if (n > 0) {
                            accepted.add(sql + "  (" + n + " rows)");
                        }
                    } else {
                        accepted.add(sql);
                    }
                } catch (SQLException e) {
                    refusals.add(e.getSQLState() + " " + firstLine(e.getMessage()));
                } finally {
                    if (transaction) {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                }
            }
        }
        // the attacker's session drops its temporary objects as its server process exits, after the
        // connection closed: the snapshot waits for that process to be gone
        awaitGone(attacker);
        List<String> changes = f.snapshot().changesSince(before);
        System.out.println("attack [" + Backend.name() + "] " + attack.name() + ": refused " + refusals);
        SoftAssertions soft = new SoftAssertions();
        if (attack.expect() != Attack.Expect.NO_EFFECT) {
            soft.assertThat(accepted).as("%s: statements the database accepted", attack.name()).isEmpty();
        }
        soft.assertThat(changes).as("%s: what changed", attack.name()).isEmpty();
        soft.assertAll();
    }

    private void awaitGone(int pid) throws SQLException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        try (Connection c = f.superuserConnection()) {
            while (System.nanoTime() < deadline
                    && Queries.number(c, "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid = ?", pid) > 0) {
                Thread.onSpinWait();
            }
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    // ---------------------------------------------------------------------------------------------
    // issue 8, attack 1: code planted for an admin to run

    /** The payload: everything a regular user would do with an admin's (or the superuser's) rights. */
    private String payloadBody(String returns) throws SQLException {
        return f.expand("""
                BEGIN
                  BEGIN EXECUTE 'ALTER ROLE ${bob} SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
                  BEGIN EXECUTE 'ALTER ROLE ${bob} CREATEROLE BYPASSRLS'; EXCEPTION WHEN OTHERS THEN NULL; END;
                  BEGIN EXECUTE 'GRANT ${admin_role} TO ${bob}'; EXCEPTION WHEN OTHERS THEN NULL; END;
                  BEGIN UPDATE cairn.database SET pinned = false, policy = 'auto'; EXCEPTION WHEN OTHERS THEN NULL; END;
                  RETURN %s;
                END""".formatted(returns));
    }

    /** Creates the payload functions in the first schema that takes them; null if none does. */
    private String plantPayload(Statement s) throws SQLException {
        for (String schema : List.of("cairn_data", "public", "cairn")) {
            try {
                s.execute("CREATE FUNCTION " + schema + ".payload() RETURNS trigger LANGUAGE plpgsql AS $f$"
                        + payloadBody("NEW") + "$f$");
                s.execute("CREATE FUNCTION " + schema + ".payload_check() RETURNS boolean LANGUAGE plpgsql AS $f$"
                        + payloadBody("true") + "$f$");
                s.execute("CREATE FUNCTION " + schema + ".payload_eq(text, varchar) RETURNS boolean LANGUAGE plpgsql"
                        + " AS $f$" + payloadBody("$1 = $2::text") + "$f$");
                return schema;
            } catch (SQLException refused) {
                // the next schema
            }
        }
        return null;
    }

    static List<String> plants() {
        return List.of(
                "issue 1: a trigger on one's own sample table",
                "replace the touch trigger function of another user's (an admin's) dataset",
                "replace the touch trigger function of one's own dataset",
                "a CHECK constraint on one's own sample table",
                "a rule on one's own sample table",
                "an operator = (text, varchar) in public that shadows the built-in through search_path");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plants")
    void plantedCodeNeverRunsWithAnAdminsRights(String plant) throws SQLException {
        Snapshot before = f.snapshot();
        List<String> accepted = new ArrayList<>();
        try (Connection c = f.login(f.bob); Statement s = c.createStatement()) {
            String schema = plantPayload(s);
            if (schema != null) {
                accepted.add("payload functions in " + schema);
            }
            String fn = (schema == null ? "public" : schema);
            String sql = switch (plants().indexOf(plant)) {
                case 0 -> "CREATE TRIGGER zz_payload BEFORE UPDATE ON ${bob_table} FOR EACH ROW EXECUTE FUNCTION " + fn
                        + ".payload()";
                case 1 -> "CREATE OR REPLACE FUNCTION ${alice_touch}() RETURNS trigger LANGUAGE plpgsql AS $f$"
                        + payloadBody("NEW") + "$f$";
                case 2 -> "CREATE OR REPLACE FUNCTION ${bob_touch}() RETURNS trigger LANGUAGE plpgsql AS $f$"
                        + payloadBody("NEW") + "$f$";
                case 3 -> "ALTER TABLE ${bob_table} ADD CONSTRAINT zz_payload CHECK (" + fn + ".payload_check())";
                case 4 -> "CREATE RULE zz_payload AS ON UPDATE TO ${bob_table} DO ALSO SELECT " + fn + ".payload_check()";
                default -> "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = " + fn
                        + ".payload_eq)";
            };
            try {
                s.execute(f.expand(sql));
                accepted.add(f.expand(sql).lines().findFirst().orElse(""));
            } catch (SQLException refused) {
                // as it should be
            }
        }
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(accepted).as("%s: what bob could plant", plant).isEmpty();
        soft.assertThat(f.snapshot().changesSince(before)).as("%s: the catalog after planting", plant).isEmpty();

        // the admin, then the superuser who ran admin init, migrate every dataset down and up again
        for (Map<String, String> admin : List.of(f.env(f.alice, true), f.rootEnv())) {
            String who = admin.get("CAIRN_DATABASE_URI").contains(f.alice) ? "alice" : "the superuser";
            Cli.Result down = Cli.run(admin, "migrate", "--all", "-v", "0.3.0");
            soft.assertThat(down.exit()).as("%s: migrate --all -v 0.3.0\n%s", who, down).isZero();
            checkNothingRanAsAdmin(soft, who + " after migrate --all -v 0.3.0", true);
            Cli.Result up = Cli.run(admin, "migrate", "--all");
            soft.assertThat(up.exit()).as("%s: migrate --all\n%s", who, up).isZero();
            checkNothingRanAsAdmin(soft, who + " after migrate --all", false);
            // an ordinary update by the admin, of bob's samples and the admin's own
            Cli.Result export = Cli.run(admin, "export", BOB_DATASET);
            soft.assertThat(export.exit()).as("%s: export\n%s", who, export).isZero();
        }
        soft.assertAll();
    }

    private void checkNothingRanAsAdmin(SoftAssertions soft, String when, boolean pinned) {
        try (Connection c = f.superuserConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT r.rolsuper, r.rolcreaterole, r.rolbypassrls, pg_has_role(r.oid, '"
                     + f.adminRole + "', 'MEMBER'), d.pinned, d.policy FROM pg_roles r, cairn.database d"
                     + " WHERE r.rolname = '" + f.bob + "'")) {
            rs.next();
            soft.assertThat(rs.getBoolean(1)).as("%s: bob is a superuser", when).isFalse();
            soft.assertThat(rs.getBoolean(2)).as("%s: bob can create roles", when).isFalse();
            soft.assertThat(rs.getBoolean(3)).as("%s: bob bypasses row-level security", when).isFalse();
            soft.assertThat(rs.getBoolean(4)).as("%s: bob is a member of the admin role", when).isFalse();
            soft.assertThat(rs.getBoolean(5)).as("%s: the database is pinned", when).isEqualTo(pinned);
            soft.assertThat(rs.getString(6)).as("%s: the policy", when).isEqualTo("manual");
        } catch (SQLException e) {
            soft.fail(when + ": " + e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // issue 8, attacks 3 and 6 through the command line

    @Test
    void issue3ARegularUserCannotMigrateAnyDatasetExplicitly() throws SQLException {
        Snapshot before = f.snapshot();
        SoftAssertions soft = new SoftAssertions();
        runEach(f.env(f.bob, true), List.of(
                List.of("migrate", "-n", ALICE_DATASET, "-v", "0.1.0"),
                List.of("migrate", "-n", BOB_DATASET, "-v", "0.1.0"),
                List.of("migrate", "-n", BOB_LAZY, "-v", "0.4.0"),
                List.of("migrate", "--all", "-v", "0.1.0"),
                List.of("migrate", "--policy", "auto"))).forEach((command, r) -> soft.assertThat(r.exit())
                        .as("CAIRN_DATABASE_ADMIN=true %s, as bob\n%s", command, r).isEqualTo(3));
        soft.assertThat(f.snapshot().changesSince(before)).as("what changed").isEmpty();
        soft.assertAll();
    }

    @Test
    void issue6AnotherUsersDatasetDoesNotExistForARegularUser() throws SQLException {
        Snapshot before = f.snapshot();
        SoftAssertions soft = new SoftAssertions();
        runEach(f.env(f.bob, false), List.of(
                List.of("datasets", "info", ALICE_DATASET),
                List.of("export", ALICE_DATASET),
                List.of("datasets", "rename", ALICE_DATASET, "stolen"),
                List.of("datasets", "clone", ALICE_DATASET, "copied"),
                List.of("datasets", "delete", ALICE_DATASET, "--yes"))).forEach((command, r) -> {
                    soft.assertThat(r.exit()).as("%s, as bob\n%s", command, r).isEqualTo(4);
                    soft.assertThat(r.err()).as("%s, as bob", command).contains("no dataset named");
                });
        Cli.Result list = Cli.run(f.env(f.carol, false), "datasets", "list");
        soft.assertThat(list.exit()).isZero();
        soft.assertThat(list.out()).as("carol's list").doesNotContain(ALICE_DATASET, BOB_DATASET, BOB_LAZY);
        soft.assertThat(f.snapshot().changesSince(before)).as("what changed").isEmpty();
        soft.assertAll();
    }

    /** What each command did, by its command line ("cairn ..."), in the order given. */
    private static Map<String, Cli.Result> runEach(Map<String, String> env, List<List<String>> commands) {
        Map<String, Cli.Result> results = new LinkedHashMap<>();
        for (List<String> args : commands) {
            results.put("cairn " + String.join(" ", args), Cli.run(env, args.toArray(String[]::new)));
        }
        return results;
    }

    // ---------------------------------------------------------------------------------------------
    // issue 8, attack 4: who ran a migration

    @Test
    void issue4HistoryShowsTheDatabaseUserAsByAndNoForgery() throws SQLException {
        try (Connection c = f.login(f.bob); Statement s = c.createStatement()) {
            s.execute("INSERT INTO cairn.history (to_version, by_whom, client_release, command) VALUES ('0.4.0',"
                    + " 'alice@laptop', '0.4.0', 'cairn migrate --all')");
        } catch (SQLException refused) {
            // as it should be
        }
        SoftAssertions soft = new SoftAssertions();
        Cli.Result text = Cli.ok(f.env(f.alice, true), "migrate", "--history");
        soft.assertThat(text.out()).as("--history").doesNotContain("alice@laptop");
        soft.assertThat(text.out()).as("--history names bob, who upgraded his dataset lazily").contains(f.bob);
        JsonNode entries = Json.parse(Cli.ok(f.env(f.alice, true), "migrate", "--history", "--json").out());
        for (JsonNode e : entries) {
            soft.assertThat(e.get("by").asText()).as("'by' of history entry %s", e).contains(e.get("database_user").asText());
        }
        soft.assertAll();
    }

    // ---------------------------------------------------------------------------------------------
    // issue 8, attack 5: lock squatting

    @ParameterizedTest(name = "a regular user holds the {0} lock")
    @MethodSource("lockKeys")
    void issue5ASquattedLockNamesItsHolder(String which) throws Exception {
        long key = which.equals("migration") ? SecurityFixture.MIGRATION_LOCK : SecurityFixture.RECORD_LOCK;
        Cli.Result r;
        int bobPid;
        boolean blocked = false;
        try (Connection bob = f.login(f.bob); Statement s = bob.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), pg_advisory_lock(" + key + ")")) {
                rs.next();
                bobPid = rs.getInt(1);
            }
            // work to do (bob-lazy is at 0.1.0), so that the migration takes every lock it takes
            CompletableFuture<Cli.Result> migrate = CompletableFuture.supplyAsync(
                    () -> Cli.run(f.env(f.alice, true), "migrate", "--all"));
            try {
                r = migrate.get(3, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillWaiting) {
                blocked = true;
                s.execute("SELECT pg_advisory_unlock_all()");
                r = migrate.get(60, TimeUnit.SECONDS);
            }
        }
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(r.exit()).as("alice's migrate --all, once bob let go\n%s", r).isZero();
        if (blocked || r.err().contains("waiting")) {
            soft.assertThat(r.err()).as("what alice's migrate said while bob held the %s lock\n%s", which, r)
                    .contains(f.bob).contains(Integer.toString(bobPid)).contains("attack by " + f.bob)
                    .containsPattern("not an? (Cairn )?admin");
            soft.assertThat(r.err()).as("what alice's migrate said").doesNotContain("another admin is migrating");
        }
        soft.assertAll();
    }

    static List<String> lockKeys() {
        return List.of("migration", "version record");
    }

    // ---------------------------------------------------------------------------------------------
    // sessions of others

    @Test
    void aRegularUserCannotEndOrCancelAnAdminsSession() throws SQLException {
        try (Connection alice = f.login(f.alice); Connection su = f.superuserConnection();
             Connection bob = f.login(f.bob); Statement s = bob.createStatement()) {
            List<String> accepted = new ArrayList<>();
            for (String fn : List.of("pg_cancel_backend", "pg_terminate_backend")) {
                for (String who : List.of("usename = '" + f.alice + "'", "usename = '" + f.uri.user() + "'")) {
                    try (ResultSet rs = s.executeQuery("SELECT " + fn + "(pid) FROM pg_stat_activity WHERE " + who)) {
                        while (rs.next()) {
                            if (rs.getBoolean(1)) {
                                accepted.add(fn + " of " + who);
                            }
                        }
                    } catch (SQLException refused) {
                        // as it should be
                    }
                }
            }
            assertThat(accepted).as("sessions bob ended or cancelled").isEmpty();
            assertThat(alice.isValid(5)).as("alice's session lives").isTrue();
            assertThat(su.isValid(5)).as("the superuser's session lives").isTrue();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Cairn's SECURITY DEFINER functions, called with hostile arguments

    @Test
    void cairnsSecurityDefinerFunctionsRefuseHostileArguments() throws SQLException {
        Snapshot before = f.snapshot();
        long aliceId = f.datasetId(ALICE_DATASET);
        List<String> texts = new ArrayList<>(java.util.Arrays.asList(ALICE_DATASET, "x'); DROP TABLE cairn.database; --",
                "a\"b;c", null, "0.1.0", "9.9.9", "0.4.0", f.alice, f.bob, f.adminRole, "manage", "", "'"));
        List<String> numbers = new ArrayList<>(java.util.Arrays.asList(Long.toString(aliceId), "-1", "0", null));
        List<String> calls = new ArrayList<>();
        List<String> succeeded = new ArrayList<>();
        Random random = new Random(8);
        try (Connection bob = f.login(f.bob)) {
            List<String[]> functions = new ArrayList<>();
            try (Statement s = bob.createStatement(); ResultSet rs = s.executeQuery("SELECT format('%I.%I', n.nspname,"
                    + " p.proname), (SELECT string_agg(format_type(t, NULL), ',' ORDER BY i) FROM unnest(p.proargtypes)"
                    + " WITH ORDINALITY AS a(t, i)) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE n.nspname IN ('cairn', 'cairn_data', 'public') AND p.prosecdef AND p.prokind = 'f'"
                    + " AND p.prorettype <> 'trigger'::regtype AND has_function_privilege(p.oid, 'EXECUTE')")) {
                while (rs.next()) {
                    functions.add(new String[] {rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2)});
                }
            }
            for (String[] fn : functions) {
                String[] types = fn[1].isEmpty() ? new String[0] : fn[1].split(",");
                for (int round = 0; round < 40; round++) {
                    StringBuilder sql = new StringBuilder("SELECT * FROM " + fn[0] + "(");
                    List<String> args = new ArrayList<>();
                    for (int i = 0; i < types.length; i++) {
                        String type = types[i];
                        boolean numeric = type.matches("bigint|integer|smallint|numeric");
                        String v = round == 0 ? null
                                : numeric ? numbers.get(random.nextInt(numbers.size()))
                                : type.startsWith("bool") ? (random.nextBoolean() ? "true" : null)
                                : texts.get(random.nextInt(texts.size()));
                        args.add(v);
                        sql.append(i == 0 ? "" : ", ").append("?::").append(type);
                    }
                    sql.append(')');
                    calls.add(fn[0] + args);
                    try (PreparedStatement ps = bob.prepareStatement(sql.toString())) {
                        for (int i = 0; i < args.size(); i++) {
                            ps.setString(i + 1, args.get(i));
                        }
                        ps.execute();
                        succeeded.add(fn[0] + args);
                    } catch (SQLException refused) {
                        // most should be
                    }
                }
            }
        }
        System.out.println("SECURITY DEFINER functions [" + Backend.name() + "]: " + calls.size() + " hostile calls, "
                + succeeded.size() + " accepted " + succeeded);
        // whatever was accepted may only have made new things of bob's: nothing that existed changed
        Snapshot after = f.snapshot();
        SoftAssertions soft = new SoftAssertions();
        for (Map.Entry<String, List<String>> section : before.sections().entrySet()) {
            String name = section.getKey();
            if (name.equals(Snapshot.SEQUENCES)) {
                continue;
            }
            List<String> now = after.sections().getOrDefault(name, List.of());
            if (name.startsWith("records ") || name.equals("sample tables")) {
                List<String> lost = new ArrayList<>(section.getValue());
                lost.removeAll(now);
                soft.assertThat(lost).as("%s: rows that existed and changed or went", name).isEmpty();
                List<String> added = new ArrayList<>(now);
                added.removeAll(section.getValue());
                soft.assertThat(added).as("%s: new rows about alice's dataset", name)
                        .noneMatch(row -> row.matches(".*\"(dataset_)?id\": " + aliceId + "[,}].*"));
            } else {
                soft.assertThat(now).as("%s", name).isEqualTo(section.getValue());
            }
        }
        soft.assertAll();
    }

    // ---------------------------------------------------------------------------------------------
    // lazy upgrades by regular users still work after all this

    @Test
    void aRegularUserStillUpgradesTheirDatasetLazily() throws SQLException {
        assertThat(f.datasetVersion(BOB_LAZY)).isEqualTo("0.1.0");
        Cli.ok(f.env(f.bob, false), "datasets", "info", BOB_LAZY);
        assertThat(f.datasetVersion(BOB_LAZY)).as("upgraded lazily by bob").isEqualTo("0.4.0");
        try (Connection c = f.superuserConnection(); Statement s = c.createStatement()) {
            Set<String> users = Set.copyOf(Snapshot.rows(s, "SELECT database_user FROM cairn.history WHERE dataset_name = '"
                    + BOB_LAZY + "'"));
            assertThat(users).containsExactly(f.bob);
        }
    }
}
