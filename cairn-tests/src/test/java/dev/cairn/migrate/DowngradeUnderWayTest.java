package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.Build;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.DatasetStatus;
import dev.cairn.api.migration.MigrationInfo;
import dev.cairn.api.migration.MigrationPlan;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.api.migration.PendingMigration;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.TestModels.v;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Invariant 8: while a migration of the database is under way or interrupted, no client moves a
 * dataset the other way behind the admin's back, and clients that must wait are told who is
 * migrating, since when, and to which version.
 */
class DowngradeUnderWayTest {

    private CairnConfig config;

    @BeforeEach
    void fresh() {
        config = Backend.fresh();
    }

    private static Version versionOf(Cairn cairn, String dataset) {
        return cairn.datasets().stream().filter(d -> d.name().equals(dataset)).findFirst().orElseThrow().version();
    }

    @Test
    void lazyLoadsDoNotUndoADowngradeUnderWayAndWaitersAreToldWhoMigrates() throws Exception {
        DataModel model = TestModels.withSlowRevision(2.5);
        try (Cairn cairn = Cairn.open(config, model, Feedback.NONE)) {
            cairn.create("a").add(Sample.of("/a"));
            cairn.create("b").add(Sample.of("/b"));
        }
        try (Migrations m = Migrations.open(config, model, Feedback.NONE)) {
            assertThat(m.migrate(MigrationRequest.all().to(v("0.9.0"))).complete()).isTrue();
        }
        TestModels.Notices adminTwo = new TestModels.Notices();
        CompletableFuture<MigrationResult> down = CompletableFuture.supplyAsync(() -> {
            try (Migrations m = Migrations.open(config, model, Feedback.NONE)) {
                return m.migrate(MigrationRequest.all().to(v("0.4.0")));
            }
        });
        Thread.sleep(800);
        CompletableFuture<MigrationResult> waiting = CompletableFuture.supplyAsync(() -> {
            try (Migrations second = Migrations.open(config, model, adminTwo)) {
                return second.migrate(MigrationRequest.database().to(v("0.4.0")));
            }
        });
        TestModels.Notices loader = new TestModels.Notices();
        try (Cairn cairn = Cairn.open(config, model, loader)) {
            // loading never waits; using a dataset that migrates does, and says why
            cairn.dataset("a").count();
            cairn.dataset("b").count();
            assertThat(loader.seen).as("a client waiting for a dataset is told who migrates it").anySatisfy(n ->
                    assertThat(n).contains("waiting for the dataset").contains("to 0.4.0").contains("since")
                            .contains("@"));
            assertThat(versionOf(cairn, "a")).as("not upgraded back behind the admin").isEqualTo(v("0.4.0"));
        }
        MigrationResult first = down.get(60, TimeUnit.SECONDS);
        assertThat(first.complete()).as(first.summary()).isTrue();
        assertThat(waiting.get(60, TimeUnit.SECONDS).complete()).isTrue();
        assertThat(adminTwo.seen).as("an admin waiting for another admin is told who and where to")
                .anySatisfy(n -> assertThat(n).contains("under way").contains("to 0.4.0").contains("@"));
        try (Cairn cairn = Cairn.open(config, model, Feedback.NONE)) {
            assertThat(versionOf(cairn, "a")).isEqualTo(v("0.4.0"));
            assertThat(versionOf(cairn, "b")).isEqualTo(v("0.4.0"));
        }
    }

    @Test
    void anInterruptedDowngradeKeepsDatasetsDownShowsInInfoAndFinishesWhenRunAgain() throws Exception {
        try (Cairn cairn = Cairn.open(config)) {
            cairn.create("a").add(Sample.of("/a"));
            cairn.create("b").add(Sample.of("/b"));
        }
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            m.migrate(MigrationRequest.all());
            // an admin's "migrate --all -v 0.3.0" that came down with 'a' and then died
            m.migrate(MigrationRequest.named("a").to(v("0.3.0")));
        }
        Queries.execute(config, "UPDATE cairn.database SET migration_target = '0.3.0', migration_release = '0.4.0',"
                + " migration_by = 'alice@elsewhere', migration_since = now() - interval '5 minutes',"
                + " migration_pid = 1, migration_backend_start = now() - interval '1 hour', pinned = true");
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            MigrationInfo info = m.info();
            PendingMigration p = info.state().orElseThrow().pending().orElseThrow();
            assertThat(p.live()).isFalse();
            assertThat(p.target()).isEqualTo(v("0.3.0"));
            assertThat(p.by()).isEqualTo("alice@elsewhere");
            assertThat(info.datasets()).filteredOn(d -> d.name().equals("a")).extracting(DatasetStatus::status)
                    .allSatisfy(s -> assertThat(s).contains("stays at 0.3.0"));
        }
        try (Cairn cairn = Cairn.open(config)) {
            assertThatThrownBy(() -> cairn.dataset("a")).as("the 0.4.0 client cannot use it at 0.3.0, and must not"
                    + " upgrade it").isInstanceOf(RefusedException.class);
            assertThat(versionOf(cairn, "a")).isEqualTo(v("0.3.0"));
            String before = Backend.checksum(config);
            assertThatThrownBy(() -> cairn.create("new")).as("it would be made at 0.3.0, which this client cannot use")
                    .isInstanceOf(RefusedException.class);
            assertThat(Backend.checksum(config)).isEqualTo(before);
        }
        try (Cairn old = Cairn.open(config.toBuilder().clientRelease("0.3.0").admin(false).build())) {
            org.junit.jupiter.api.Assertions.fail("the database is at 0.4.0 and accepts 0.4.0 clients only");
        } catch (RefusedException expected) {
            assertThat(expected).hasMessageContaining("Install release " + Build.release());
        }
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            MigrationPlan plan = m.plan(MigrationRequest.all().to(v("0.3.0")));
            assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("interrupted").contains("finishes it"));
            MigrationResult r = m.migrate(MigrationRequest.all().to(v("0.3.0")));
            assertThat(r.complete()).as(r.summary()).isTrue();
            DatabaseState s = m.info().state().orElseThrow();
            assertThat(s.version()).isEqualTo(v("0.3.0"));
            assertThat(s.pending()).isEmpty();
            assertThat(s.pinned()).isTrue();
        }
    }
}
