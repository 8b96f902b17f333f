package dev.cairn.migrate;

import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Queries;
import dev.cairn.testing.SharedDatabase;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a regular user is told when the database itself refuses them (PostgreSQL's "permission
 * denied", SQLSTATE 42501): a refusal (exit 3) in plain words that says an admin of the database
 * must do it, never PostgreSQL's own message; and nothing changes.
 */
class PermissionDeniedTest {

    @Test
    void aRegularUserSettingThePolicyIsToldAnAdminMustDoIt() {
        SharedDatabase shared = SharedDatabase.fresh();
        CairnConfig superuser = shared.superuser();
        String bob = shared.user("bob");
        Map<String, String> root = new HashMap<>(Backend.environment(superuser));
        assertThat(Cli.run(root, "admin", "init").exit()).isZero();
        assertThat(Cli.runWithInput(root, "bob-secret\n", "admin", "add-user", bob, "--password-stdin").exit()).isZero();

        Map<String, String> bobAsAdmin = shared.environment(bob, "bob-secret", true);
        String before = records(superuser);

        Cli.Result r = Cli.run(bobAsAdmin, "migrate", "--policy", "auto");

        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("refused setting the database's policy", "only an admin of the database may do that",
                        "the role owning Cairn's records", "cairn admin users", "Nothing of it was changed")
                .doesNotContain("permission denied", "ERROR:", "SQLSTATE", "com.fasterxml", "org.postgresql");
        assertThat(records(superuser)).as("the records are as they were").isEqualTo(before);
    }

    private static String records(CairnConfig config) {
        return Queries.query(config, c -> Queries.string(c, "SELECT md5(string_agg(x::text, '|')) FROM"
                + " (SELECT * FROM cairn.database) x"));
    }
}
