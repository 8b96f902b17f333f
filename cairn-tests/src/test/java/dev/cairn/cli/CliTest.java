package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.migration.Policy;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    private CairnConfig config;

    @BeforeEach
    void fresh() {
        config = Backend.fresh();
    }

    private Cli.Result cairn(String... args) {
        return Cli.run(config, args);
    }

    @Test
    void versionAndHelp() {
        Cli.Result v = cairn("--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).startsWith("cairn 0.").contains("data model");
        Cli.Result h = cairn("--help");
        assertThat(h.exit()).isZero();
        assertThat(h.out()).contains("datasets", "import", "export", "migrate", "db", "config", "Exit status");
        for (String[] sub : new String[][]{{"datasets", "--help"}, {"datasets", "list", "--help"}, {"import", "--help"},
                {"export", "--help"}, {"db", "status", "--help"}, {"config", "--help"}, {"migrate", "--help"},
                {"releases", "--help"}}) {
            assertThat(cairn(sub).exit()).as(String.join(" ", sub)).isZero();
        }
        assertThat(cairn("import", "--help").out()).contains("all or nothing");
    }

    @Test
    void usageErrorsExitWithTwo() {
        Cli.Result r = cairn("datasets", "frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
        assertThat(cairn("datasets", "create").exit()).isEqualTo(2);
        assertThat(cairn("--no-such-option").exit()).isEqualTo(2);
    }

    @Test
    void datasetsCommandsWork() {
        assertThat(cairn("datasets", "create", "pets").exit()).isZero();
        assertThat(cairn("datasets", "create", "pets").exit()).as("exists").isEqualTo(4);
        assertThat(cairn("datasets", "rename", "pets", "animals").exit()).isZero();
        assertThat(cairn("datasets", "clone", "animals", "animals2").exit()).isZero();
        Cli.Result list = cairn("datasets", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("animals", "animals2").doesNotContain("pets");
        JsonNode json = Json.parse(cairn("datasets", "list", "--json").out());
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(0).get("name").asText()).isEqualTo("animals");
        assertThat(json.get(0).get("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
        Cli.Result info = cairn("datasets", "info", "animals", "--json");
        assertThat(info.exit()).isZero();
        assertThat(Json.parse(info.out()).get("samples").asLong()).isZero();
        Cli.Result refuse = cairn("datasets", "delete", "animals");
        assertThat(refuse.exit()).as("a non-interactive delete needs --yes").isEqualTo(4);
        assertThat(refuse.err()).contains("--yes");
        assertThat(cairn("datasets", "delete", "animals", "--yes").exit()).isZero();
        assertThat(cairn("datasets", "delete", "animals", "--yes").exit()).isEqualTo(4);
        assertThat(cairn("datasets", "info", "animals").exit()).isEqualTo(4);
    }

    @Test
    void hostileDatasetNamesAreStoredAsTextOrRefusedAndNothingChanges() throws Exception {
        String[] stored = {"Robert'); DROP TABLE cairn.datasets;--", "a;b", "\"double\"", "naïve 猫 🐈", "x".repeat(200)};
        for (String name : stored) {
            Cli.Result r = cairn("datasets", "create", name);
            assertThat(r.exit()).as(r.toString()).isZero();
        }
        JsonNode list = Json.parse(cairn("datasets", "list", "--json").out());
        assertThat(list).extracting(n -> n.get("name").asText()).containsExactlyInAnyOrder(stored);
        String before = Backend.checksum(config);
        for (String name : new String[]{"", "x".repeat(10_000), "tab\there", "nul\u0000", " lead", "esc\u001b[2J"}) {
            Cli.Result r = cairn("datasets", "create", name);
            assertThat(r.exit()).as("name %s", name.length() > 20 ? name.length() + " chars" : name).isEqualTo(4);
            assertThat(r.err()).contains("dataset name").doesNotContain("\u001b");
            assertThat(cairn("datasets", "rename", stored[1], name).exit()).isEqualTo(4);
        }
        assertThat(Backend.checksum(config)).isEqualTo(before);
    }

    @Test
    void importAndExportThroughFiles() throws Exception {
        Path dir = Backend.scratch("cli-io");
        Path file = dir.resolve("in.jsonl");
        Files.writeString(file, "{\"cairn\":\"dataset\",\"format\":1,\"name\":\"imported\",\"fields\":[{\"name\":\"n\",\"type\":\"int\"}]}\n"
                + "{\"filepath\":\"/a\",\"fields\":{\"n\":1}}\n{\"filepath\":\"/b\",\"fields\":{\"n\":2}}\n");
        Cli.Result imp = cairn("import", file.toString());
        assertThat(imp.exit()).as(imp.toString()).isZero();
        assertThat(imp.out()).contains("Imported 2 samples into dataset 'imported'");
        Path out = dir.resolve("out.jsonl");
        Cli.Result exp = cairn("export", "imported", out.toString());
        assertThat(exp.exit()).as(exp.toString()).isZero();
        assertThat(Files.readAllLines(out)).hasSize(3);
        Cli.Result toStdout = cairn("export", "imported");
        assertThat(toStdout.out().split("\n")).hasSize(3);
        assertThat(cairn("import", out.toString(), "--name", "again").exit()).isZero();
        assertThat(cairn("import", out.toString(), "--name", "again").exit()).isEqualTo(4);
        assertThat(cairn("import", out.toString(), "--name", "again", "--replace").exit()).isZero();

        String before = Backend.checksum(config);
        Files.writeString(dir.resolve("bad.jsonl"), Files.readString(out) + "{oops\n");
        Cli.Result bad = cairn("import", dir.resolve("bad.jsonl").toString(), "--name", "never");
        assertThat(bad.exit()).isEqualTo(4);
        assertThat(bad.err()).contains("line 4").contains("Nothing was imported");
        assertThat(cairn("import", dir.resolve("missing.jsonl").toString()).exit()).isEqualTo(4);
        assertThat(cairn("import", dir.toString()).exit()).isEqualTo(4);
        assertThat(cairn("export", "no such dataset", dir.resolve("x.jsonl").toString()).exit()).isEqualTo(4);
        assertThat(Files.exists(dir.resolve("x.jsonl"))).as("no partial export file").isFalse();
        assertThat(cairn("export", "imported", dir.resolve("no/such/dir/x.jsonl").toString()).exit()).isEqualTo(4);
        assertThat(Backend.checksum(config)).isEqualTo(before);
    }

    @Test
    void configShowsSettingsAndSourcesWithoutSecrets() {
        Cli.Result r = Cli.run(config, Map.of("CAIRN_POOL_SIZE", "3"), "config");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("CAIRN_POOL_SIZE", "3", "environment", "CAIRN_HOME");
        JsonNode json = Json.parse(Cli.run(config, Map.of("CAIRN_POOL_SIZE", "3"), "config", "--json").out());
        assertThat(json.get("settings").get("pool_size").get("source").asText()).isEqualTo("environment");
        Cli.Result shared = Cli.run(Map.of("CAIRN_HOME", config.home().toString(), "CAIRN_DATABASE_URI",
                "postgresql://bob:hunter2@db.example:5432/labels"), "config");
        assertThat(shared.out()).contains("bob:***@db.example").doesNotContain("hunter2");
    }

    @Test
    void badConfigurationExitsWithFiveAndSaysWhatIsWrong() throws Exception {
        Path home = Backend.scratch("badconfig");
        Files.writeString(home.resolve("config.json"), "{ this is not json");
        Cli.Result r = Cli.run(Map.of("CAIRN_HOME", home.toString()), "datasets", "list");
        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains("config.json is not valid JSON");
        Cli.Result admin = Cli.run(config, Map.of("CAIRN_DATABASE_ADMIN", "maybe"), "datasets", "list");
        assertThat(admin.exit()).isEqualTo(5);
        assertThat(admin.err()).contains("CAIRN_DATABASE_ADMIN");
        Cli.Result uri = Cli.run(Map.of("CAIRN_HOME", config.home().toString(), "CAIRN_DATABASE_URI", "not a uri"),
                "datasets", "list");
        assertThat(uri.exit()).isEqualTo(5);
        assertThat(uri.err()).contains("CAIRN_DATABASE_URI");
    }

    @Test
    void migrateInfoShowsTheVersionsAndChangesNothing() throws Exception {
        cairn("datasets", "create", "one");
        String before = Backend.checksum(config);
        Cli.Result info = cairn("migrate", "--info");
        assertThat(info.exit()).as(info.toString()).isZero();
        assertThat(info.out()).contains("Cairn release", "Data model", "Database version", "Policy", "one");
        JsonNode json = Json.parse(cairn("migrate", "--info", "--json").out());
        assertThat(json.get("database_state").get("version").asText()).isEqualTo(json.get("data_model").asText());
        assertThat(json.get("datasets").get(0).get("name").asText()).isEqualTo("one");
        assertThat(cairn("migrate", "--history").exit()).isZero();
        assertThat(Json.parse(cairn("migrate", "--history", "--json").out()).isArray()).isTrue();
        assertThat(Backend.checksum(config)).isEqualTo(before);
    }

    @Test
    void releasesListsTheReleaseTable() {
        Cli.Result r = cairn("releases");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("RELEASE", "DATA MODEL", "this client");
        JsonNode json = Json.parse(cairn("releases", "--json").out());
        assertThat(json.get(0).get("release").asText()).isEqualTo("0.1.0");
    }
}
