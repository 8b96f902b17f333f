package dev.cairn.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static dev.cairn.security.SecurityFixture.ALICE_DATASET;
import static dev.cairn.security.SecurityFixture.BOB_DATASET;
import static dev.cairn.security.SecurityFixture.BOB_LAZY;
import static dev.cairn.testing.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


/**
 * Access levels of datasets, through the command line ({@code cairn datasets access|grant|revoke})
 * and checked by PostgreSQL too (raw SQL of the same user), as the weakest user: carol, who owns
 * nothing. Bob owns {@code bob-boxes} and {@code bob-lazy}; alice is an admin. A dataset's default
 * level for regular users starts at none. DESIGN.md, "Trust and access".
 */
class AccessLevelsCliTest {

    private SecurityFixture f;
    private Map<String, String> bob;
    private Map<String, String> carol;
    private Map<String, String> alice;

    @BeforeEach
    void fixture() {
        f = SecurityFixture.build();
        bob = f.env(f.bob, false);
        carol = f.env(f.carol, false);
        alice = f.env(f.alice, true);
    }

    private static Cli.Result run(Map<String, String> env, String... args) {
        return Cli.run(env, args);
    }

    private void exits(int code, Map<String, String> env, String... args) {
        Cli.Result r = run(env, args);
        assertThat(r.exit()).as("cairn %s\n%s", String.join(" ", args), r).isEqualTo(code);
    }

    /** Whether carol's own database session can read bob's samples, as PostgreSQL decides. */
    private boolean carolReadsSamplesWithSql(String dataset) throws SQLException {
        String table = f.sampleTable(dataset);
        try (Connection c = f.login(f.carol)) {
            return Queries.number(c, "SELECT count(*) FROM " + table) > 0;
        } catch (SQLException e) {
            return false;
        }
    }

    private boolean carolWritesSamplesWithSql(String dataset) throws SQLException {
        String table = f.sampleTable(dataset);
        try (Connection c = f.login(f.carol); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            int n = s.executeUpdate("UPDATE " + table + " SET tags = tags");
            c.rollback();
            return n > 0;
        } catch (SQLException e) {
            return false;
        }
    }

    @Test
    void withoutAccessADatasetDoesNotExist() throws SQLException {
        assertThat(ok(carol, "datasets", "list").out()).doesNotContain(BOB_DATASET, BOB_LAZY, ALICE_DATASET);
        for (List<String> args : List.of(List.of("datasets", "info", BOB_DATASET), List.of("export", BOB_DATASET),
                List.of("datasets", "access", BOB_DATASET), List.of("datasets", "rename", BOB_DATASET, "x"),
                List.of("datasets", "delete", BOB_DATASET, "--yes"),
                List.of("datasets", "grant", BOB_DATASET, f.carol, "manage"))) {
            Cli.Result r = run(carol, args.toArray(String[]::new));
            assertThat(r.exit()).as("cairn %s as carol\n%s", String.join(" ", args), r).isEqualTo(4);
            assertThat(r.err()).contains("no dataset named");
        }
        assertThat(carolReadsSamplesWithSql(BOB_DATASET)).as("raw SQL reads").isFalse();
        try (Connection c = f.login(f.carol)) {
            assertThat(Queries.number(c, "SELECT count(*) FROM cairn.datasets")).as("rows of cairn.datasets carol sees")
                    .isZero();
        }
    }

    @Test
    void theOwnerSeesTheAccessListAndDefaultIsNone() {
        JsonNode access = Json.parse(ok(bob, "datasets", "access", BOB_DATASET, "--json").out());
        assertThat(access.get("owner").asText()).isEqualTo(f.bob);
        assertThat(access.get("default").asText()).isEqualToIgnoringCase("none");
        assertThat(ok(bob, "datasets", "access", BOB_DATASET).out()).contains(f.bob);
    }

    @Test
    void viewReadsButNeitherWritesRenamesDeletesNorGrants() throws SQLException {
        ok(bob, "datasets", "grant", BOB_DATASET, f.carol, "view");
        assertThat(ok(carol, "datasets", "list").out()).contains(BOB_DATASET).doesNotContain(BOB_LAZY, ALICE_DATASET);
        ok(carol, "export", BOB_DATASET);
        assertThat(carolReadsSamplesWithSql(BOB_DATASET)).isTrue();
        Snapshot before = f.snapshot();
        assertThat(carolWritesSamplesWithSql(BOB_DATASET)).as("raw SQL writes").isFalse();
        exits(3, carol, "datasets", "rename", BOB_DATASET, "x");
        exits(3, carol, "datasets", "delete", BOB_DATASET, "--yes");
        exits(3, carol, "datasets", "grant", BOB_DATASET, f.carol, "manage");
        exits(3, carol, "datasets", "grant", BOB_DATASET, "--default", "edit");
        exits(3, carol, "import", SecurityFixture.QUICKSTART.toString(), "--name", BOB_DATASET, "--replace");
        exits(3, f.env(f.carol, true), "migrate", "-n", BOB_DATASET, "-v", "0.1.0");
        assertThat(f.snapshot().changesSince(before)).as("what changed").isEmpty();
    }

    @Test
    void editWritesButNeitherRenamesDeletesNorGrants() throws SQLException {
        ok(bob, "datasets", "grant", BOB_DATASET, f.carol, "edit");
        assertThat(carolWritesSamplesWithSql(BOB_DATASET)).as("raw SQL writes").isTrue();
        exits(3, carol, "datasets", "rename", BOB_DATASET, "x");
        exits(3, carol, "datasets", "delete", BOB_DATASET, "--yes");
        exits(3, carol, "datasets", "grant", BOB_DATASET, f.carol, "manage");
        exits(3, carol, "datasets", "revoke", BOB_DATASET, f.bob);
        assertThat(f.datasetVersion(BOB_DATASET)).isEqualTo("0.4.0");
    }

    @Test
    void manageRenamesDeletesAndGrantsAndRevokeTakesItBack() throws SQLException {
        ok(bob, "datasets", "grant", BOB_DATASET, f.carol, "manage");
        ok(carol, "datasets", "rename", BOB_DATASET, "renamed by carol");
        ok(carol, "datasets", "rename", "renamed by carol", BOB_DATASET);
        JsonNode access = Json.parse(ok(carol, "datasets", "access", BOB_DATASET, "--json").out());
        assertThat(access.get("users").get(f.carol).asText()).isEqualToIgnoringCase("manage");
        ok(bob, "datasets", "revoke", BOB_DATASET, f.carol);
        exits(4, carol, "datasets", "info", BOB_DATASET);
        assertThat(carolReadsSamplesWithSql(BOB_DATASET)).as("raw SQL reads after the revoke").isFalse();
        ok(bob, "datasets", "grant", BOB_DATASET, f.carol, "manage");
        ok(carol, "datasets", "delete", BOB_DATASET, "--yes");
        assertThat(f.datasetVersion(BOB_DATASET)).isNull();
    }

    @Test
    void theDefaultLevelAppliesToEveryRegularUser() throws SQLException {
        ok(bob, "datasets", "grant", BOB_DATASET, "--default", "view");
        ok(carol, "datasets", "info", BOB_DATASET);
        assertThat(carolReadsSamplesWithSql(BOB_DATASET)).isTrue();
        exits(3, carol, "datasets", "rename", BOB_DATASET, "x");
        ok(bob, "datasets", "grant", BOB_DATASET, "--default", "none");
        exits(4, carol, "datasets", "info", BOB_DATASET);
    }

    @Test
    void adminsManageEveryDataset() {
        ok(alice, "datasets", "access", BOB_DATASET);
        ok(alice, "datasets", "grant", BOB_DATASET, f.carol, "view");
        ok(carol, "datasets", "info", BOB_DATASET);
        ok(alice, "datasets", "rename", BOB_DATASET, "renamed by alice");
        ok(alice, "datasets", "rename", "renamed by alice", BOB_DATASET);
        ok(alice, "datasets", "revoke", BOB_DATASET, f.carol);
        exits(4, carol, "datasets", "info", BOB_DATASET);
        // and bob cannot see alice's, nor grant himself anything on it
        exits(4, bob, "datasets", "grant", ALICE_DATASET, f.bob, "manage");
    }

    @Test
    void aViewerUpgradesADatasetLazily() throws SQLException {
        assertThat(f.datasetVersion(BOB_LAZY)).isEqualTo("0.1.0");
        ok(bob, "datasets", "grant", BOB_LAZY, f.carol, "view");
        ok(carol, "datasets", "info", BOB_LAZY);
        assertThat(f.datasetVersion(BOB_LAZY)).as("upgraded lazily by carol, a viewer").isEqualTo("0.4.0");
        JsonNode history = Json.parse(ok(alice, "migrate", "--history", "--json").out());
        assertThat(history).filteredOn(e -> BOB_LAZY.equals(e.path("dataset").asText()))
                .extracting(e -> e.get("database_user").asText()).containsExactly(f.carol);
    }

    @Test
    void grantingIsCheckedByPostgresNotOnlyByTheClient() throws SQLException {
        ok(bob, "datasets", "grant", BOB_DATASET, f.carol, "view");
        try (Connection c = f.login(f.carol); Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "GRANT ALL ON " + f.sampleTable(BOB_DATASET) + " TO " + SecurityFixture.q(f.carol),
                    "UPDATE cairn.dataset_access SET level = 'manage'",
                    "INSERT INTO cairn.dataset_access SELECT * FROM cairn.dataset_access")) {
                assertThatThrownBy(() -> {
                    int n = s.executeUpdate(sql);
                    java.sql.SQLWarning warning = s.getWarnings();
                    if (warning != null && warning.getMessage().contains("no privileges were granted")) {
                        throw new SQLException("GRANT without the right: " + warning.getMessage());
                    }
                    if (n == 0 && !sql.startsWith("GRANT")) {
                        throw new SQLException("no row changed");
                    }
                }).as(sql).isInstanceOf(SQLException.class);
            }
        }
        exits(3, carol, "datasets", "rename", BOB_DATASET, "x");
    }
}
