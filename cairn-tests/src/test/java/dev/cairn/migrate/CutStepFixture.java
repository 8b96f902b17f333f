package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;

import static dev.cairn.migrate.FaultRun.V1;
import static dev.cairn.migrate.FaultRun.V4;
import static dev.cairn.testing.Json.parse;
import static dev.cairn.testing.Queries.datasetVersion;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * The fault tests without chance: two datasets at 0.1.0, a fault that cuts the step of the first
 * while it waits for the dataset, and what must hold afterwards.
 */
final class CutStepFixture {

    private CutStepFixture() {
    }

    /** A fresh database with datasets a and b, one sample each, written by release 0.1.0. */
    static CairnConfig twoDatasetsAt010() {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config.toBuilder().clientRelease(V1).build())) {
            cairn.create("a").add(Sample.of("/data/a.jpg"));
            cairn.create("b").add(Sample.of("/data/b.jpg"));
        }
        return config;
    }

    /**
     * After a fault cut the step of dataset a (the database's step done, b not begun): both
     * datasets are at 0.1.0, the database at 0.4.0, --info shows the migration interrupted at
     * a, and the same command finishes it and clears its record.
     */
    static void assertStepOfACutAndTheSameCommandFinishes(CairnConfig config) {
        assertThat(datasetVersion(config, "a")).isEqualTo(V1);
        assertThat(datasetVersion(config, "b")).isEqualTo(V1);
        JsonNode info = parse(Cli.run(config, "migrate", "--info", "--json").out());
        assertThat(info.path("database_state").path("version").asText()).isEqualTo(V4);
        assertThat(info.path("database_state").path("migration").path("state").asText()).isEqualTo("interrupted");
        assertThat(info.path("interrupted").findValuesAsText("dataset")).containsExactly("a");

        Cli.Result again = Cli.run(config, "migrate", "--all");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(datasetVersion(config, "a")).isEqualTo(V4);
        assertThat(datasetVersion(config, "b")).isEqualTo(V4);
        info = parse(Cli.run(config, "migrate", "--info", "--json").out());
        assertThat(info.path("database_state").has("migration")).isFalse();
    }
}
