package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.Build;
import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dev.cairn.testing.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walkthrough of the versioned data model issue, from the CLI, on a shared database: an
 * older release creates datasets, a newer one is refused or works at the older version, an
 * admin upgrades the database then every dataset, the older client is refused, and an admin
 * downgrades with the newer client so that the older one works again with its data intact.
 */
class WalkthroughTest {

    private static final Path QUICKSTART = Path.of("examples/quickstart.jsonl").toAbsolutePath();

    private static Map<String, String> with(Map<String, String> env, String... pairs) {
        Map<String, String> m = new HashMap<>(env);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Cli.Result refused(Map<String, String> env, String... args) {
        Cli.Result r = Cli.run(env, args);
        assertThat(r.exit()).as("cairn %s\n%s", String.join(" ", args), r).isEqualTo(3);
        assertThat(r.err()).startsWith("cairn: refused: ");
        return r;
    }

    private static JsonNode info(Map<String, String> env) {
        return Json.parse(ok(env, "migrate", "--info", "--json").out());
    }

    private static String version(JsonNode info, String dataset) {
        for (JsonNode d : info.get("datasets")) {
            if (d.get("name").asText().equals(dataset)) {
                return d.get("version").asText();
            }
        }
        throw new AssertionError("no dataset " + dataset);
    }

    @Test
    void theUpgradeAndDowngradeWalkthroughOnASharedDatabase() throws Exception {
        CairnConfig shared = Backend.asShared(Backend.freshBuilder().build()).build();
        assertThat(shared.isLocal()).isFalse();
        Map<String, String> user = Backend.environment(shared);
        assertThat(user.get("CAIRN_DATABASE_ADMIN")).isEqualTo("false");
        Map<String, String> admin = with(user, "CAIRN_DATABASE_ADMIN", "true");
        Map<String, String> old = with(user, "CAIRN_CLIENT_RELEASE", "0.1.0");
        Map<String, String> oldAdmin = with(old, "CAIRN_DATABASE_ADMIN", "true");

        // 1. An older release's client creates datasets on a fresh shared database.
        Cli.Result none = refused(old, "datasets", "list");
        assertThat(none.err()).contains("only an admin");
        ok(oldAdmin, "migrate");
        ok(old, "import", QUICKSTART.toString());
        ok(old, "import", QUICKSTART.toString(), "--name", "second");
        String original = ok(old, "export", "quickstart").out();
        assertThat(original).contains("\"data_model\":\"0.1.0\"");
        String before = Backend.checksum(shared);
        //    A newer client connects: refused where a revision in between is incompatible...
        Cli.Result newer = refused(user, "datasets", "list");
        assertThat(newer.err()).contains("data model 0.1.0", "data model 0.4.0", "release 0.1.0",
                "CAIRN_DATABASE_ADMIN=true cairn migrate");
        //    ...and working at the older version where every revision in between is compatible.
        assertThat(ok(with(user, "CAIRN_CLIENT_RELEASE", "0.3.0"), "datasets", "list").out()).contains("quickstart");
        assertThat(Backend.checksum(shared)).as("nothing changed").isEqualTo(before);

        // 2. cairn migrate --info: release, data model and range, database version, every dataset.
        Cli.Result text = ok(user, "migrate", "--info");
        assertThat(text.out()).contains("Cairn release     " + Build.release(), "Data model        0.4.0 (works as it is with databases"
                + " from 0.4.0", "Database version  0.1.0", "Policy            manual", "quickstart", "second");
        JsonNode info = info(user);
        assertThat(info.get("database_state").get("version").asText()).isEqualTo("0.1.0");
        assertThat(version(info, "quickstart")).isEqualTo("0.1.0");
        assertThat(Backend.checksum(shared)).isEqualTo(before);

        // 3. migrate without admin is refused; as admin it moves the database only, then everything.
        Cli.Result notAdmin = refused(user, "migrate");
        assertThat(notAdmin.err()).contains("CAIRN_DATABASE_ADMIN=true cairn migrate");
        assertThat(Backend.checksum(shared)).isEqualTo(before);
        ok(admin, "migrate");
        info = info(user);
        assertThat(info.get("database_state").get("version").asText()).isEqualTo("0.4.0");
        assertThat(version(info, "quickstart")).as("datasets upgrade when first loaded").isEqualTo("0.1.0");
        ok(user, "datasets", "info", "quickstart");
        info = info(user);
        assertThat(version(info, "quickstart")).as("loaded by a regular user: upgraded").isEqualTo("0.4.0");
        assertThat(version(info, "second")).isEqualTo("0.1.0");
        ok(admin, "migrate", "--all");
        assertThat(version(info(user), "second")).isEqualTo("0.4.0");

        // 4. The older client is now refused with a message naming the release to install.
        Cli.Result tooOld = refused(old, "datasets", "list");
        assertThat(tooOld.err()).contains("Install release " + Build.release(), "cairn migrate --all -v 0.1.0");

        // 5. An admin downgrades with the newer client; the older client works again, data intact.
        ok(admin, "migrate", "--all", "-v", "0.1.0");
        assertThat(ok(old, "export", "quickstart").out()).isEqualTo(original);
        ok(admin, "migrate", "--all");
        refused(old, "datasets", "list");
        ok(admin, "migrate", "--all", "--release", "0.1.0");
        assertThat(ok(old, "export", "quickstart").out()).isEqualTo(original);
        assertThat(ok(old, "datasets", "list").out()).contains("quickstart", "second");

        JsonNode history = Json.parse(ok(user, "migrate", "--history", "--json").out());
        assertThat(history.size()).isGreaterThanOrEqualTo(9);
        assertThat(history).allSatisfy(h -> assertThat(h.get("outcome").asText()).isIn("ok", "skipped"));
        assertThat(ok(user, "migrate", "--history").out()).contains("cairn migrate --all --release 0.1.0");
    }
}
