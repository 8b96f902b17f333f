package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.Cairn;
import dev.cairn.api.Build;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Sample;
import dev.cairn.model.CairnModel;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn migrate}'s options, refusals and exit statuses. */
class MigrateCommandTest {

    private CairnConfig config;

    @BeforeEach
    void databaseWithDatasets() {
        config = Backend.fresh();
        CairnConfig old = config.toBuilder().clientRelease("0.1.0").build();
        try (Cairn cairn = Cairn.open(old)) {
            for (String name : new String[]{"a", "b", "c"}) {
                cairn.create(name).add(Sample.of("/" + name).with("gt", dev.cairn.api.Detections.of(
                        dev.cairn.api.Detection.of("x", dev.cairn.api.BoundingBox.of(0.1, 0.1, 0.2, 0.2)))));
            }
        }
    }

    /** Makes every update of a dataset's samples fail, as a broken disk or a bug in a revision would. */
    private void breakUpdates(long datasetId, boolean broken) throws Exception {
        try (Connection raw = Backend.raw(config); Statement s = raw.createStatement()) {
            if (broken) {
                s.execute("CREATE OR REPLACE FUNCTION public.test_fail() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$BEGIN RAISE EXCEPTION 'test: this dataset cannot be changed'; END$$");
                s.execute("CREATE TRIGGER test_fail BEFORE UPDATE ON cairn_data.samples_" + datasetId
                        + " FOR EACH ROW EXECUTE FUNCTION public.test_fail()");
            } else {
                s.execute("DROP TRIGGER test_fail ON cairn_data.samples_" + datasetId);
            }
        }
    }

    private Cli.Result cairn(String... args) {
        return Cli.run(config, args);
    }

    private String databaseVersion() {
        return Json.parse(cairn("migrate", "--info", "--json").out()).get("database_state").get("version").asText();
    }

    /**
     * {@code migrate --info} answers without picocli (Main's quick way): it must say exactly what
     * the way through picocli says ({@code --verbose} first takes that way), on success and on
     * failure, in text and JSON; anything more on the line goes through picocli as before.
     */
    @Test
    void theQuickInfoSaysWhatPicocliSays() {
        for (String[] info : new String[][]{{"migrate", "--info"}, {"migrate", "--info", "--json"},
                {"migrate", "--json", "--info"}}) {
            java.util.List<String> throughPicocli = new java.util.ArrayList<>(java.util.List.of("--verbose"));
            throughPicocli.addAll(java.util.List.of(info));
            Cli.Result quick = cairn(info);
            Cli.Result full = cairn(throughPicocli.toArray(String[]::new));
            assertThat(quick.exit()).as(String.join(" ", info)).isZero().isEqualTo(full.exit());
            assertThat(quick.out()).as(String.join(" ", info)).isEqualTo(full.out()).contains("0.1.0");
            assertThat(quick.err()).isEqualTo(full.err());
        }
        CairnConfig unreachable = config.toBuilder().databaseUri("postgresql://nobody@127.0.0.1:1/nothing")
                .connectTimeoutSeconds(1).build();
        Cli.Result quick = Cli.run(unreachable, "migrate", "--info");
        Cli.Result full = Cli.run(unreachable, "--verbose", "migrate", "--info");
        assertThat(quick.exit()).isEqualTo(5).isEqualTo(full.exit());
        assertThat(quick.err()).startsWith("cairn: error: cannot connect");
        assertThat(full.err()).as("the same message (--verbose adds the cause's trace)").startsWith(quick.err());
        assertThat(cairn("migrate", "--info", "--info").exit()).as("a repeated option is picocli's to refuse").isEqualTo(2);
        assertThat(cairn("migrate", "--info", "--plan").exit()).as("two modes").isEqualTo(2);
    }

    @Test
    void badDestinationsAreRefusedBeforeAnythingChanges() throws Exception {
        String before = Backend.checksum(config);
        Map<String[], Integer> cases = new java.util.LinkedHashMap<>();
        cases.put(new String[]{"migrate", "-v", "0.9.0"}, 3);
        cases.put(new String[]{"migrate", "-v", "0.2.5"}, 4);
        cases.put(new String[]{"migrate", "--release", "9.9.9"}, 3);
        cases.put(new String[]{"migrate", "--release", "0.0.1"}, 4);
        cases.put(new String[]{"migrate", "--history", "--limit", "-5"}, 4);
        cases.put(new String[]{"migrate", "-v", "v0.2"}, 4);
        cases.put(new String[]{"migrate", "-v", ""}, 4);
        cases.put(new String[]{"migrate", "-v", "1"}, 4);
        cases.put(new String[]{"migrate", "-v", "1.2.3.4"}, 4);
        cases.put(new String[]{"migrate", "-v", "-1"}, 4);
        cases.put(new String[]{"migrate", "--release", "0.2"}, 4);
        cases.put(new String[]{"migrate", "-n", "nope"}, 4);
        cases.put(new String[]{"migrate", "-n", "a", "-v", "0.4.0"}, 3);
        cases.put(new String[]{"migrate", "--all", "-n", "a"}, 2);
        cases.put(new String[]{"migrate", "-v", "0.1.0", "--release", "0.1.0"}, 2);
        cases.put(new String[]{"migrate", "--error-level", "7"}, 4);
        cases.put(new String[]{"migrate", "--workers", "0"}, 4);
        cases.put(new String[]{"migrate", "--info", "--plan"}, 2);
        for (Map.Entry<String[], Integer> e : cases.entrySet()) {
            Cli.Result r = cairn(e.getKey());
            assertThat(r.exit()).as("cairn %s\n%s", String.join(" ", e.getKey()), r).isEqualTo(e.getValue());
            assertThat(r.err()).as("cairn %s says why", String.join(" ", e.getKey())).isNotBlank();
        }
        assertThat(cairn("migrate", "-v", "0.9.0").err()).contains("newer than this client");
        assertThat(cairn("migrate", "--release", "0.0.1").err()).contains(CairnModel.shipped().releases().stream()
                .map(r -> r.release().toString()).collect(java.util.stream.Collectors.joining(", ")));
        assertThat(cairn("migrate", "-n", "a", "-v", "0.4.0").err()).contains("never ahead of its database");
        assertThat(Backend.checksum(config)).isEqualTo(before);
    }

    @Test
    void planShowsEveryStepAndChangesNothing() throws Exception {
        String before = Backend.checksum(config);
        Cli.Result text = cairn("migrate", "--all", "--plan");
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("0.1.0 -> 0.4.0", "1. database", "dataset 'a'", "up 0.2.0", "up 0.4.0",
                "Nothing was changed.");
        JsonNode plan = Json.parse(cairn("migrate", "--all", "--plan", "--json").out());
        assertThat(plan.get("steps").size()).isEqualTo(4);
        assertThat(plan.get("steps").get(0).get("dataset").isNull()).isTrue();
        assertThat(Json.parse(cairn("migrate", "--plan", "-n", "b", "-v", "0.1.0", "--json").out()).get("steps").size()).isZero();
        assertThat(Backend.checksum(config)).isEqualTo(before);
    }

    @Test
    void aDowngradeOfTheDatabaseBringsEveryDatasetAboveItDown() {
        assertThat(cairn("migrate", "--all").exit()).isZero();
        Cli.Result plan = cairn("migrate", "-v", "0.2.0", "--plan");
        assertThat(plan.out()).contains("comes down with the database", "down 0.4.0", "down 0.3.0", "every saved view is deleted");
        assertThat(cairn("migrate", "-v", "0.2.0").exit()).isZero();
        JsonNode info = Json.parse(cairn("migrate", "--info", "--json").out());
        assertThat(info.get("database_state").get("version").asText()).isEqualTo("0.2.0");
        assertThat(info.get("database_state").get("pinned").asBoolean()).isTrue();
        assertThat(info.get("datasets")).allSatisfy(d -> assertThat(d.get("version").asText()).isEqualTo("0.2.0"));
    }

    @Test
    void errorLevelsDecideWhetherOtherDatasetsGoOnAndTheExitSaysIncomplete() throws Exception {
        breakUpdates(1, true);
        Cli.Result stop = cairn("migrate", "--all", "--workers", "1");
        assertThat(stop.exit()).as(stop.toString()).isEqualTo(1);
        assertThat(stop.err()).contains("incomplete", "run the same migration again: cairn migrate");
        JsonNode info = Json.parse(cairn("migrate", "--info", "--json").out());
        assertThat(info.get("database_state").get("migration").get("state").asText()).isEqualTo("interrupted");
        assertThat(info.get("datasets").get(0).get("version").asText()).isEqualTo("0.1.0");

        Cli.Result warn = cairn("migrate", "--all", "--error-level", "1");
        assertThat(warn.exit()).isEqualTo(1);
        assertThat(warn.err()).contains("warning: the dataset 'a' was not migrated");
        info = Json.parse(cairn("migrate", "--info", "--json").out());
        assertThat(info.get("datasets").get(1).get("version").asText()).as("the others went on").isEqualTo("0.4.0");

        breakUpdates(1, false);
        Cli.Result again = cairn("migrate", "--all");
        assertThat(again.exit()).as(again.toString()).isZero();
        info = Json.parse(cairn("migrate", "--info", "--json").out());
        assertThat(info.get("datasets")).allSatisfy(d -> assertThat(d.get("version").asText()).isEqualTo("0.4.0"));
        assertThat(info.get("database_state").get("migration")).isNull();
    }

    @Test
    void aFailedDatasetKeepsTheDatabaseFromGoingDown() throws Exception {
        assertThat(cairn("migrate", "--all").exit()).isZero();
        breakUpdates(2, true);
        Cli.Result r = cairn("migrate", "--all", "-v", "0.1.0", "--error-level", "2");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("not run: a dataset that must come down first failed");
        assertThat(r.err()).doesNotContain("warning");
        assertThat(databaseVersion()).isEqualTo("0.4.0");
    }

    @Test
    void onlyAnAdminMigratesOrSetsThePolicy() throws Exception {
        String before = Backend.checksum(config);
        Map<String, String> user = new java.util.HashMap<>(Backend.environment(config));
        user.put("CAIRN_DATABASE_ADMIN", "false");
        Cli.Result r = Cli.run(user, "migrate", "--all");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("only an admin", "CAIRN_DATABASE_ADMIN=true cairn migrate --all");
        assertThat(Cli.run(user, "migrate", "--policy", "manual").exit()).isEqualTo(3);
        assertThat(Cli.run(user, "migrate", "--info").exit()).isZero();
        assertThat(Cli.run(user, "migrate", "--plan", "--all").exit()).isZero();
        assertThat(Cli.run(user, "migrate", "--history").exit()).isZero();
        assertThat(Backend.checksum(config)).isEqualTo(before);
        assertThat(cairn("migrate", "--policy", "manual").out()).contains("manual");
        assertThat(cairn("migrate", "--policy", "sometimes").exit()).isEqualTo(2);
    }

    @Test
    void historySaysWhatWhenByWhomAndHowLong() {
        assertThat(cairn("migrate", "--all").exit()).isZero();
        JsonNode history = Json.parse(cairn("migrate", "--history", "--json").out());
        JsonNode latest = null;
        for (JsonNode h : history) {
            if ("c".equals(h.path("dataset").asText(null))) {
                latest = h;
                break;
            }
        }
        assertThat(latest).as("the entry of dataset c (datasets migrate side by side, so any may be newest)").isNotNull();
        assertThat(latest.get("from").asText()).isEqualTo("0.1.0");
        assertThat(latest.get("to").asText()).isEqualTo("0.4.0");
        assertThat(latest.get("client").asText()).contains("@");
        assertThat(latest.get("release").asText()).isEqualTo(Build.release());
        assertThat(latest.get("command").asText()).isEqualTo("cairn migrate --all");
        assertThat(latest.get("outcome").asText()).isEqualTo("ok");
        assertThat(latest.get("duration_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(history).anySatisfy(h -> assertThat(h.get("command").asText()).isEqualTo("initialise"));
    }
}
