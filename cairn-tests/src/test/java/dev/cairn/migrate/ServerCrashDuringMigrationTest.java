package dev.cairn.migrate;

import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;
import dev.cairn.testing.ServerFaults;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.CutStepFixture.assertStepOfACutAndTheSameCommandFinishes;
import static dev.cairn.migrate.CutStepFixture.twoDatasetsAt010;
import static dev.cairn.migrate.FaultRun.V1;
import static dev.cairn.migrate.FaultRun.V4;
import static dev.cairn.migrate.MigratorOutput.assertFailedCleanly;
import static dev.cairn.migrate.MigratorSessions.awaitSessionsAndLocksGone;
import static dev.cairn.migrate.MigratorSessions.blockDataset;
import static dev.cairn.migrate.MigratorSessions.migratorSessions;
import static dev.cairn.migrate.MigratorSessions.startBlocked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;


/**
 * Invariants 3 and 6 when the PostgreSQL server itself stops abruptly under a migration (a power
 * cut, an OOM kill, a pulled plug: {@code pg_ctl stop -m immediate}) and is started again:
 * {@code cairn migrate --all} (up to 0.4.0) and {@code cairn migrate --all -v 0.1.0} (down) run in
 * a JVM of their own, and at a random moment the server under the test database crashes (see
 * {@link ServerFaults}); it is started again at once, a little later, or once the migrator has
 * ended. The migrator must end by itself within a bound (no hang): with exit 1 or 5 and a message
 * in plain words, or 0 when it did all it had to (a migrator that had not connected yet starts the
 * embedded server itself). Then, with the server back (after crash recovery), everything
 * {@link AfterRunChecks#checkAfter} checks holds: every dataset whole at its old or new version with
 * exactly its known-good content, none lost or doubled, nothing ahead of the database, no lock or
 * session behind, {@code cairn migrate --info} answering and telling the truth. The same command
 * then finishes the job.
 *
 * <p>{@code -Dcairn.test.crashes=N} asks for N crashes (default 4);
 * {@code -Dcairn.test.crash.seed=S} replays a run (the seed is printed). On the server backend the
 * test needs {@code CAIRN_TEST_SERVER_CRASH} and {@code CAIRN_TEST_SERVER_START} (.ci/run sets
 * them), and is skipped without them.
 */
class ServerCrashDuringMigrationTest {

    private static final int CRASHES = Integer.getInteger("cairn.test.crashes", 4);
    /** How long a migrator may take to end once its server crashed (its pool waits up to 11 s for a connection). */
    private static final long EXIT_TIMEOUT_SECONDS = 180;

    @BeforeEach
    void serverCanBeCrashed() {
        assumeTrue(ServerFaults.unavailable().isEmpty(), () -> ServerFaults.unavailable().orElse(""));
    }

    @Test
    void serverCrashesAtRandomMomentsLeaveEveryDatasetWholeAndTheSameCommandFinishes() throws Exception {
        // two big datasets, whose steps take long enough for a crash to land inside them
        FaultRun h = FaultRun.prepare("crash", "cairn.test.crash.seed", 8, 8_000);

        Crash crash = new Crash(h);
        String[] last;
        try {
            last = h.rounds(CRASHES, "crash", crash);
        } finally {
            ServerFaults.start(h.current); // whatever happened, the server runs for the tests after this one
        }
        h.finish(last);

        h.printSummary("ServerCrashDuringMigrationTest", "server crashes", "the migrator was "
                + h.stats.seenStartingWith("crash: ") + "; restarts: " + h.stats.seenStartingWith("restart ") + "; "
                + h.exits() + "; a crash took " + crash.slowestCrash + " ms at most");
        assertThat(h.stats.faults).isEqualTo(CRASHES);
    }

    /** When the crashed server starts again. */
    private static final List<String> RESTARTS = List.of("at once", "a little later", "once the migrator ended");

    /** Crashes the server, and starts it again at once, a little later (up to 3 s), or once the migrator ended. */
    private static final class Crash extends Fault {
        private final FaultRun run;
        private final CairnConfig config;
        private final Turns restarts;
        private String restart;
        private long restartDelayMillis;
        private long struckAt;
        long slowestCrash;

        Crash(FaultRun run) {
            super("server crash");
            this.run = run;
            this.config = run.current;
            this.restarts = new Turns(run.random, RESTARTS);
        }

        @Override
        String strike(Process p, Connection c) throws Exception {
            if (!p.isAlive()) {
                return null;
            }
            List<MigratorSessions.Session> sessions = migratorSessions(c);
            restart = restarts.next();
            restartDelayMillis = run.random.nextInt(3000);
            struckAt = System.nanoTime();
            ServerFaults.crash(config);
            slowestCrash = Math.max(slowestCrash, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - struckAt));
            run.stats.count("crash: " + (sessions.isEmpty() ? "not connected yet" : "connected"));
            run.stats.count("restart " + restart);
            return "the migrator had " + sessions.size() + " session(s); the server restarts " + restart
                    + (restart.equals("a little later") ? " (" + restartDelayMillis + " ms)" : "");
        }

        @Override
        void settle(Process p, Path output) throws Exception {
            if (restart.equals("at once")) {
                ServerFaults.start(config);
            } else if (restart.equals("a little later")) {
                p.waitFor(restartDelayMillis, TimeUnit.MILLISECONDS);
                ServerFaults.start(config);
            }
            if (!p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                ServerFaults.start(config);
                fail("the migrator hangs: " + EXIT_TIMEOUT_SECONDS + " s after the server crashed it has not ended\n"
                        + Files.readString(output));
            }
            run.stats.slowestExit = Math.max(run.stats.slowestExit,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - struckAt));
            ServerFaults.start(config); // a no-op if it runs already
        }
    }

    // ---------------------------------------------------------------------------------------
    // The same, without chance

    /**
     * The server crashes while a dataset step waits for the dataset (a reader holds it), then
     * comes back: the migrator ends by itself, non-zero, saying it lost the connection; the
     * dataset is at its old version, whole; the database (its step came first and committed) at
     * the new one; --info shows the migration as interrupted; the same command finishes it.
     */
    @Test
    void aCrashDuringADatasetStepLeavesItWholeAndTheSameCommandFinishesTheJob() throws Exception {
        CairnConfig config = twoDatasetsAt010();
        Path out = Files.createTempFile(Backend.scratch("crash"), "step", ".txt");
        Process p;
        Connection blocker = blockDataset(config, "a");
        try {
            // one dataset at a time, so that b waits behind a
            p = startBlocked(config, out, "migrate", "--all", "--workers", "1");
            ServerFaults.crash(config);
        } finally {
            try {
                blocker.close();
            } catch (java.sql.SQLException broken) {
                // the crash broke it
            }
            ServerFaults.start(config);
        }
        assertThat(p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the migrator ends, not hangs").isTrue();
        String output = Files.readString(out);
        assertFailedCleanly("crash during a dataset step", p.exitValue(), output, FaultRun.UP);
        awaitSessionsAndLocksGone(config, "after the crash");
        assertStepOfACutAndTheSameCommandFinishes(config);
    }
}
