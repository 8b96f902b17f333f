package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Processes;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.FaultRun.V1;
import static dev.cairn.migrate.FaultRun.V4;
import static dev.cairn.migrate.MigratorSessions.awaitSession;
import static dev.cairn.migrate.MigratorSessions.awaitSessionsAndLocksGone;
import static dev.cairn.migrate.MigratorSessions.blockDataset;
import static dev.cairn.testing.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * Invariants 3 and 6, the hard way: {@code cairn migrate --all} (up to 0.4.0) and
 * {@code cairn migrate --all -v 0.1.0} (down) run in a JVM of their own and are killed with
 * SIGKILL at random moments, from before they connect to the end of their last step. After every
 * kill, each dataset must be whole at 0.1.0 or at 0.4.0, its samples exactly the known-good copy
 * for that version (none lost, none doubled, boxes in the layout of the version), no dataset
 * ahead of the database, and no lock left behind: the dead migrator's advisory lock is gone, a
 * new migrator takes it at once and {@code cairn migrate --info} answers. Running the same command
 * again then finishes the job.
 *
 * <p>{@code -Dcairn.test.kills=N} asks for N kills (default 20); {@code -Dcairn.test.kill.seed=S}
 * replays a run (the seed is printed). The datasets, known-good copies, rounds and checks are
 * {@link FaultRun}'s, shared with {@link ServerCrashDuringMigrationTest} and
 * {@link DroppedConnectionDuringMigrationTest}.
 */
class KillDuringMigrationTest {

    private static final int KILLS = Integer.getInteger("cairn.test.kills", 20);

    @Test
    void sigkillAtRandomMomentsLeavesEveryDatasetWholeAndNoLockBehind() throws Exception {
        // three big datasets, so that kills land inside their steps as well as between steps
        FaultRun h = FaultRun.prepare("kill", "cairn.test.kill.seed", 14, 6_000);

        Fault kill = new Fault("SIGKILL") {
            @Override
            String strike(Process p, Connection c) {
                p.destroyForcibly();
                return "killed";
            }

            @Override
            void settle(Process p, Path output) throws Exception {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the killed JVM is gone").isTrue();
            }

            @Override
            boolean killsTheMigrator() {
                return true;
            }
        };
        String[] last = h.rounds(KILLS, "kill", kill);

        // The same command, run again to the end, finishes the job; then the way back does too.
        h.finish(last);

        h.printSummary("KillDuringMigrationTest", "kills", "stored text forms at 0.1.0: " + h.rawForms(V1)
                + ", at 0.4.0: " + h.rawForms(V4));
    }

    // ---------------------------------------------------------------------------------------
    // Bugs the kills showed (now fixed), each reproduced without chance.

    @Test
    void anUpgradeAfterAKilledDowngradeLeavesTheDatabaseUnpinned() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config)) {
            cairn.create("a");
            cairn.create("b");
        }
        killWhileWaitingForDataset(config, "a", "migrate", "--all", "-v", V1);

        Cli.Result up = Cli.run(config, "migrate", "--all");
        assertThat(up.exit()).as(up.toString()).isZero();
        JsonNode db = parse(Cli.run(config, "migrate", "--info", "--json").out()).path("database_state");
        assertThat(db.path("version").asText()).isEqualTo(V4);
        assertThat(db.has("migration")).isFalse();
        assertThat(db.path("pinned").asBoolean())
                .as("the database never went down, and the admin has since run 'cairn migrate --all' up: it is not"
                        + " 'pinned by an explicit downgrade'").isFalse();
    }

    @Test
    void infoStopsListingAnInterruptedStepOnceTheSameCommandFinishedIt() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config.toBuilder().clientRelease(V1).build())) {
            cairn.create("a");
        }
        killWhileWaitingForDataset(config, "a", "migrate", "--all");

        Cli.Result again = Cli.run(config, "migrate", "--all");
        assertThat(again.exit()).as(again.toString()).isZero();
        JsonNode json = parse(Cli.run(config, "migrate", "--info", "--json").out());
        assertThat(json.path("datasets").findValuesAsText("version")).containsExactly(V4);
        assertThat(json.path("database_state").has("migration")).isFalse();
        assertThat(Cli.run(config, "migrate", "--info").out()).as("the job is done: nothing is left to finish")
                .doesNotContain("run the command again");
        assertThat(json.path("interrupted")).isEmpty();
    }

    @Test
    void aStepThatCommittedIsNotReportedAsInterrupted() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config.toBuilder().clientRelease(V1).build())) {
            cairn.create("a");
        }
        // widens the window the random kills hit now and then: committing a dataset's new
        // version takes 3 s (as a slow disk's fsync would), and the kill lands in it
        Queries.execute(config, "CREATE FUNCTION public.kill_test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$BEGIN PERFORM pg_sleep(3); RETURN NULL; END$$",
                "CREATE CONSTRAINT TRIGGER kill_test_slow_commit AFTER UPDATE ON cairn.datasets DEFERRABLE"
                        + " INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version IS DISTINCT FROM OLD.version)"
                        + " EXECUTE FUNCTION public.kill_test_slow_commit()");
        Process p = Processes.start(config, Map.of(), Files.createTempFile(Backend.scratch("kill"), "up", ".txt"),
                "migrate", "--all");
        awaitSession(config, "wait_event = 'PgSleep'");
        p.destroyForcibly();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        awaitSessionsAndLocksGone(config, "the slow commit");

        assertThat(Queries.datasetVersion(config, "a")).as("the step committed before the kill took effect")
                .isEqualTo(V4);
        JsonNode history = parse(Cli.run(config, "migrate", "--history", "--json").out());
        assertThat(history).filteredOn(h -> "a".equals(h.path("dataset").asText()))
                .extracting(h -> h.path("outcome").asText())
                .as("the history of a step whose work was kept").containsExactly("ok");
        assertThat(Cli.run(config, "migrate", "--info").out()).doesNotContain("nothing of them was kept");
    }

    /**
     * Starts {@code cairn ARGS}, lets it block on a lock this test holds on a dataset's sample
     * table (as a reader's long transaction would), kills it there, then lets go of the lock and
     * waits until the killed migrator's sessions are gone.
     */
    private static void killWhileWaitingForDataset(CairnConfig config, String dataset, String... args)
            throws Exception {
        try (Connection blocker = blockDataset(config, dataset)) {
            Process p = Processes.start(config, Map.of(), Files.createTempFile(Backend.scratch("kill"), "blocked",
                    ".txt"), args);
            awaitSession(config, "wait_event_type = 'Lock'");
            p.destroyForcibly();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            blocker.rollback();
        }
        awaitSessionsAndLocksGone(config, "cairn " + String.join(" ", args) + " killed while it waited");
    }
}
