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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.CutStepFixture.assertStepOfACutAndTheSameCommandFinishes;
import static dev.cairn.migrate.CutStepFixture.twoDatasetsAt010;
import static dev.cairn.migrate.FaultRun.PROCESS_TIMEOUT_SECONDS;
import static dev.cairn.migrate.FaultRun.V1;
import static dev.cairn.migrate.FaultRun.V4;
import static dev.cairn.migrate.MigratorOutput.assertFailedCleanly;
import static dev.cairn.migrate.MigratorSessions.awaitSessionsAndLocksGone;
import static dev.cairn.migrate.MigratorSessions.blockDataset;
import static dev.cairn.migrate.MigratorSessions.migratorSessions;
import static dev.cairn.migrate.MigratorSessions.startBehind;
import static dev.cairn.migrate.MigratorSessions.startBlocked;
import static dev.cairn.migrate.MigratorSessions.terminate;
import static dev.cairn.testing.Json.parse;
import static dev.cairn.testing.Queries.datasetVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;


/**
 * Invariants 3 and 6 when the migrator's connection to PostgreSQL is dropped under it (a DBA's
 * {@code pg_terminate_backend}, a server-side timeout, a network cut): {@code cairn migrate --all}
 * (up to 0.4.0) and {@code cairn migrate --all -v 0.1.0} (down) run in a JVM of their own, and at
 * a random moment a superuser terminates the migrator's sessions, found in
 * {@code pg_stat_activity} by their application name ({@code cairn RELEASE}): the one that is
 * busy (running a statement or inside a transaction), the one that holds the migration lock,
 * one at random, or all of them. The migrator must then end by itself within a bound (no hang),
 * with exit status 1 or 5 and a message in plain words (or 0, when what it had left to do was
 * done all the same), and leave what {@link AfterRunChecks#checkAfter} checks: every dataset whole
 * at its old or new version with exactly its known-good content, nothing ahead of the database, no
 * lock or session behind, {@code cairn migrate --info} answering and telling the truth. The same
 * command then finishes the job.
 *
 * <p>{@code -Dcairn.test.drops=N} asks for N dropped connections (default 6);
 * {@code -Dcairn.test.drop.seed=S} replays a run (the seed is printed).
 */
class DroppedConnectionDuringMigrationTest {

    private static final int DROPS = Integer.getInteger("cairn.test.drops", 6);
    /** How long a migrator may take to end once its connection is dropped (its pool waits 11 s for a connection). */
    private static final long EXIT_TIMEOUT_SECONDS = 120;

    @Test
    void droppedConnectionsAtRandomMomentsFailTheMigratorCleanlyAndLeaveEveryDatasetWhole() throws Exception {
        // two big datasets, whose steps take long enough for a drop to land inside them
        FaultRun h = FaultRun.prepare("drop", "cairn.test.drop.seed", 8, 8_000);

        Drop drop = new Drop(h);
        String[] last = h.rounds(DROPS, "drop", drop);
        h.finish(last);

        h.printSummary("DroppedConnectionDuringMigrationTest", "drops", "sessions dropped: "
                + h.stats.seenStartingWith("drop ") + "; " + h.exits());
        assertThat(h.stats.faults).isEqualTo(DROPS);
    }

    /**
     * The ways to choose what to drop: the session running a statement or inside a transaction
     * (a step, or the planning), the one holding the migration lock, one at random, all of them.
     */
    private static final List<String> WAYS = List.of("busy", "lock holder", "one", "all");

    /** Terminates some of the migrator's sessions, chosen each of the four ways in turn. */
    private static final class Drop extends Fault {
        private final FaultRun run;
        private final Turns ways;
        private long struckAt;

        Drop(FaultRun run) {
            super("dropped connection");
            this.run = run;
            this.ways = new Turns(run.random, WAYS);
        }

        @Override
        String strike(Process p, Connection c) throws Exception {
            String which = ways.next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_SECONDS);
            // at the moment, or as soon after it as the migrator has such a session
            while (p.isAlive() && System.nanoTime() < deadline) {
                List<MigratorSessions.Session> sessions = migratorSessions(c);
                List<MigratorSessions.Session> chosen = switch (which) {
                    case "busy" -> sessions.stream().filter(s -> !s.state().equals("idle")).toList();
                    case "lock holder" -> sessions.stream().filter(s -> s.holdsMigrationLock()).toList();
                    case "one" -> sessions.isEmpty() ? List.of()
                            : List.of(sessions.get(run.random.nextInt(sessions.size())));
                    default -> sessions;
                };
                List<String> dropped = new ArrayList<>();
                for (MigratorSessions.Session s : chosen) {
                    if (terminate(c, s.pid())) {
                        dropped.add(s.toString());
                    }
                }
                if (!dropped.isEmpty()) {
                    struckAt = System.nanoTime();
                    run.stats.count("drop " + which);
                    return "dropped " + which + ": " + String.join(", ", dropped) + " of " + sessions.size()
                            + " session(s)";
                }
                Thread.sleep(2);
            }
            return null;
        }

        @Override
        void settle(Process p, Path output) throws Exception {
            if (!p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the migrator hangs: " + EXIT_TIMEOUT_SECONDS + " s after its connection was dropped it has not"
                        + " ended\n" + Files.readString(output));
            }
            run.stats.slowestExit = Math.max(run.stats.slowestExit,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - struckAt));
        }
    }

    // ---------------------------------------------------------------------------------------
    // The same, without chance

    /**
     * The session of a dataset step is dropped while the step waits for the dataset (a reader
     * holds it): the migrator ends at once with exit 1, says which step lost its connection and
     * that the same command finishes the job; the dataset is at its old version, whole; the
     * database (its step came first) at the new one; --info shows the migration as interrupted;
     * and the same command does finish it.
     */
    @Test
    void droppingTheSessionOfADatasetStepFailsTheMigrationCleanly() throws Exception {
        CairnConfig config = twoDatasetsAt010();
        Path out = Files.createTempFile(Backend.scratch("drop"), "step", ".txt");
        // one dataset at a time, so that b waits behind a
        Process p = startBehind(config, "a", out, migrator -> {
            try (Connection c = Backend.raw(config)) {
                List<MigratorSessions.Session> waiting = migratorSessions(c).stream()
                        .filter(s -> s.query().startsWith("LOCK TABLE")).toList();
                assertThat(waiting).hasSize(1);
                assertThat(terminate(c, waiting.get(0).pid())).isTrue();
            }
            assertThat(migrator.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the migrator ends, not hangs")
                    .isTrue();
        }, "migrate", "--all", "--workers", "1");
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertFailedCleanly("dropped step", p.exitValue(), output, FaultRun.UP);
        assertThat(output).contains("dataset 'a'").contains("lost the connection to the database while migrating the"
                + " dataset 'a'");
        awaitSessionsAndLocksGone(config, "after the dropped step");
        assertStepOfACutAndTheSameCommandFinishes(config);
    }

    // ---------------------------------------------------------------------------------------
    // Bugs the drops showed (now fixed), each reproduced without chance.

    /**
     * The migration lock is a session advisory lock held by one idle connection for the whole
     * migration. When that session is dropped (here by pg_terminate_backend; a server's
     * idle_session_timeout does the same to any migration that lasts longer than it), the lock is
     * gone, but the migrator never notices: it goes on with the next steps on its other
     * connections, unlocked, and only fails at the very end, when it clears its pending record
     * ("lost the connection ... Nothing of that step was kept", though every step was kept).
     * Meanwhile --info calls the migration "interrupted; run the same command again", and another
     * admin may start one (see the next test).
     */
    @Test
    void aMigratorThatLostItsLockSessionRunsNoFurtherStep() throws Exception {
        CairnConfig config = twoDatasetsAt010();
        Path out = Files.createTempFile(Backend.scratch("drop"), "lock", ".txt");
        // one dataset at a time, so that b's step has not begun when the lock is lost
        Process p = startBehind(config, "a", out, migrator -> dropTheLockHolder(config),
                "migrate", "--all", "--workers", "1");
        assertThat(p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the migrator ends, not hangs").isTrue();
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(output).isNotZero();
        assertThat(output).contains("lost the connection to the database that holds the migration lock").doesNotContain("Nothing of that step was kept");
        assertThat(datasetVersion(config, "b"))
                .as("the dataset 'b', whose step had not begun when the migrator lost its migration lock, is not"
                        + " migrated without the lock\n%s", output).isEqualTo(V1);
    }

    /**
     * The consequence: with the first migrator's lock session gone, a second admin's
     * {@code cairn migrate --all -v 0.1.0} takes the lock at once and moves the database down
     * (its check that no dataset is above 0.1.0 runs before the first migrator's dataset step
     * commits), while the first goes on moving datasets up: both exit as if all was well or
     * merely disconnected, and the datasets end up ahead of their database — invariant 4 broken;
     * --info calls them "damaged: ahead of the database".
     */
    @Test
    void noDatasetEndsAheadOfItsDatabaseWhenASecondAdminMigratesAfterTheFirstLostItsLockSession() throws Exception {
        CairnConfig config = twoDatasetsAt010();
        Path out = Files.createTempFile(Backend.scratch("drop"), "first", ".txt");
        Path out2 = Files.createTempFile(Backend.scratch("drop"), "second", ".txt");
        Process first;
        Process second;
        try (Connection blocker = blockDataset(config, "a")) {
            first = startBlocked(config, out, "migrate", "--all");
            dropTheLockHolder(config);
            second = Processes.start(config, Map.of(), out2, "migrate", "--all", "-v", V1);
            // until the second admin has ended, says it waits, or waits for a lock beside the first
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_SECONDS);
            while (second.isAlive() && !Files.readString(out2).contains("cairn: waiting")) {
                try (Connection c = Backend.raw(config)) {
                    if (waitingOnLocks(c) >= 2) {
                        break;
                    }
                }
                assertThat(System.nanoTime()).as("the second admin neither ends nor waits").isLessThan(deadline);
                Thread.sleep(50);
            }
            blocker.rollback();
        }
        assertThat(first.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(second.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        String both = "first (exit " + first.exitValue() + "):\n" + Files.readString(out) + "second (exit "
                + second.exitValue() + "):\n" + Files.readString(out2);
        JsonNode info = parse(Cli.run(config, "migrate", "--info", "--json").out());
        String database = info.path("database_state").path("version").asText();
        for (JsonNode d : info.path("datasets")) {
            assertThat(dev.cairn.api.Version.parse(d.path("version").asText())
                    .isAfter(dev.cairn.api.Version.parse(database)))
                    .as("invariant 4: the dataset %s (at %s) is never ahead of its database (at %s)\n%s",
                            d.path("name").asText(), d.path("version").asText(), database, both).isFalse();
        }
    }

    /**
     * The way a shared server would end the lock session: with {@code idle_session_timeout} set
     * (PostgreSQL 14+), a session idle for longer is ended, and the session that holds the
     * migration lock sits idle through every step. Cairn turns the timeout off for that session,
     * so the migration keeps its lock and finishes.
     */
    @Test
    void theServersIdleSessionTimeoutDoesNotEndTheMigrationLockSession() throws Exception {
        CairnConfig config = twoDatasetsAt010();
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + c.getCatalog() + " SET idle_session_timeout = '1s'");
        }
        Path out = Files.createTempFile(Backend.scratch("drop"), "idle", ".txt");
        Process p = startBehind(config, "a", out, migrator -> {
            Thread.sleep(2500);
            try (Connection c = Backend.raw(config)) {
                assertThat(migratorSessions(c)).as("the lock session outlives the idle timeout")
                        .anyMatch(MigratorSessions.Session::holdsMigrationLock);
            }
        }, "migrate", "--all");
        assertThat(p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the migrator ends, not hangs").isTrue();
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(datasetVersion(config, "a")).isEqualTo(V4);
        assertThat(datasetVersion(config, "b")).isEqualTo(V4);
    }

    private static long waitingOnLocks(Connection c) throws SQLException {
        return Queries.number(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name LIKE 'cairn %' AND wait_event_type = 'Lock'");
    }

    /** Terminates the session that holds the migration lock, and waits until it is gone. */
    private static void dropTheLockHolder(CairnConfig config) throws Exception {
        try (Connection c = Backend.raw(config)) {
            List<MigratorSessions.Session> holders = migratorSessions(c).stream()
                    .filter(MigratorSessions.Session::holdsMigrationLock).toList();
            assertThat(holders).as("one session holds the migration lock").hasSize(1);
            assertThat(terminate(c, holders.get(0).pid())).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (migratorSessions(c).stream().anyMatch(s -> s.pid() == holders.get(0).pid())) {
                assertThat(System.nanoTime()).as("the terminated session ends").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
