package dev.cairn.migrate;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Processes;
import dev.cairn.testing.Queries;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.MigratorOutput.assertFailedCleanly;
import static dev.cairn.migrate.MigratorOutput.assertNoWait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;


/**
 * One fault test's run of {@code cairn migrate --all} (SIGKILL of the migrator, a crash of the
 * PostgreSQL server, a dropped connection): a database of datasets written by release 0.1.0
 * ({@link DatasetsAsRelease010}), their known-good copies ({@link KnownGood}), a calibration,
 * rounds of migrations up and down in JVMs of their own that a {@link Fault} strikes at a random
 * {@link Moment}, and the checks after every run ({@link AfterRunChecks}), counted in
 * {@link FaultStats}.
 */
final class FaultRun {

    static final String V1 = "0.1.0";
    static final String V4 = "0.4.0";
    static final String[] UP = {"migrate", "--all"};
    static final String[] DOWN = {"migrate", "--all", "-v", V1};

    /** Generous for a 2-core machine that runs other builds at the same time. */
    static final long PROCESS_TIMEOUT_SECONDS = 300;
    /** {@code -Dcairn.test.faults.verbose=true} prints each fault, the migrator's exit status and why it stopped. */
    static final boolean VERBOSE = Boolean.getBoolean("cairn.test.faults.verbose");

    final CairnConfig current;
    final CairnConfig old;
    final Path scratch;
    final FaultStats stats = new FaultStats();
    /** When the test began, its seed and the randomness drawn from it: datasets, moments, faults. */
    final long began = System.nanoTime();
    final long seed;
    final Random random;
    private final KnownGood knownGood;
    private final AfterRunChecks checks;
    private Map<String, List<Sample>> written = Map.of();
    /** Calibration: a clean run each way, and the start-up cost of a run, in ms. */
    long upMillis;
    long downMillis;
    long startMillis;

    private FaultRun(String name, long seed) {
        this.current = Backend.freshBuilder().admin(true).build();
        this.old = current.toBuilder().clientRelease(V1).build();
        this.scratch = Backend.scratch(name);
        this.seed = seed;
        this.random = new Random(seed);
        this.knownGood = new KnownGood(current, stats);
        this.checks = new AfterRunChecks(current, old, knownGood, stats);
    }

    /**
     * A fault test's run, ready for its rounds: a fresh admin's database on the test backend, the
     * seed from {@code -D<seedProperty>} (to replay a run) or drawn at random, the datasets as
     * 0.1.0 writes them (named after {@code name}, see {@link DatasetsAsRelease010#create}),
     * their known-good copies and the calibration (see {@link #recordAndCalibrate}).
     */
    static FaultRun prepare(String name, String seedProperty, int count, int bigSize) throws Exception {
        FaultRun run = new FaultRun(name, Long.getLong(seedProperty, new Random().nextLong()));
        run.createDatasetsAsRelease010(name, count, bigSize);
        run.recordAndCalibrate();
        return run;
    }

    int datasets() {
        return knownGood.datasets();
    }

    /** How many stored text forms, over all datasets, were found at a version beyond one each. */
    String rawForms(String version) {
        return knownGood.rawForms(version);
    }

    private void createDatasetsAsRelease010(String prefix, int count, int bigSize) {
        written = DatasetsAsRelease010.create(old, random, prefix, count, bigSize);
        written.values().forEach(samples -> stats.samples += samples.size());
    }

    /**
     * Records the known-good copies of the datasets as they are now (all at 0.1.0), then
     * calibrates: the start-up cost of a run (a {@code --plan}, which must change nothing), then one
     * clean run each way, timed; each must end exactly at the known-good copies.
     */
    private void recordAndCalibrate() throws Exception {
        HeldState start = HeldState.read(current);
        assertThat(start.database()).isEqualTo(V1);
        knownGood.record(start);
        String unchanged = Backend.checksum(current);
        long t0 = System.nanoTime();
        Processes.Finished plan = Processes.run(current, Map.of(), "migrate", "--all", "--plan");
        startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(plan.exit()).as(plan.output()).isZero();
        assertThat(Backend.checksum(current)).as("--plan changes nothing").isEqualTo(unchanged);
        upMillis = runToCompletion(UP, V4);
        downMillis = runToCompletion(DOWN, V1);
    }

    /**
     * Runs rounds until {@code wanted} faults struck a migrator: each round runs the other way
     * from the round before, or the same command again, which must take over what the struck one
     * left; the moment is drawn from the calibration. {@code word} names the fault in messages.
     * Returns the last command run.
     */
    String[] rounds(int wanted, String word, Fault fault) throws Exception {
        int attempts = 0;
        boolean up = false;
        while (stats.faults < wanted) {
            attempts++;
            assertThat(attempts).as("too many runs finished before their %s: the delays are off", word)
                    .isLessThanOrEqualTo(wanted * 3);
            up = random.nextBoolean() ? up : !up;
            HeldState before = HeldState.read(current);
            if (before.stepsLeft(up ? V4 : V1) == 0 && before.pending() == null) {
                up = !up; // nothing left to do this way
            }
            String target = up ? V4 : V1;
            int steps = before.stepsLeft(target);
            long work = (long) (Math.max(0, (up ? upMillis : downMillis) - startMillis) * before.fractionLeft(target));
            Moment moment = Moment.draw(random, steps, startMillis, work);
            faultOnce(up ? UP : DOWN, target, before, moment, fault);
        }
        return up ? UP : DOWN;
    }

    /**
     * The same command as the last round's, run again to the end, finishes the job; then the way
     * back does too; after each, the samples read through the API are the ones written.
     */
    void finish(String[] last) throws Exception {
        String lastTarget = last == UP ? V4 : V1;
        runToCompletion(last, lastTarget);
        checks.compareThroughTheApi(lastTarget, written);
        String otherTarget = last == UP ? V1 : V4;
        runToCompletion(last == UP ? DOWN : UP, otherTarget);
        checks.compareThroughTheApi(otherTarget, written);
    }

    /**
     * Prints what a fault test's faults hit and what the checks after them found, with the seed
     * that replays the run: {@code faults} names them ("kills"), {@code particulars} says what only
     * that fault counts.
     */
    void printSummary(String test, String faults, String particulars) {
        FaultStats s = stats;
        System.out.println(String.format("%s [%s, seed %d]: %d %s (%d up, %d down) on %d datasets / %d samples; %d"
                        + " runs finished before their fault; %s; moments: start-up x%d, timed x%d, at a step x%d;"
                        + " after the faults the database was at 0.1.0 x%d, 0.4.0 x%d and datasets at 0.1.0 x%d,"
                        + " 0.4.0 x%d; nothing moved yet x%d, half done x%d, all moved x%d; steps cut: dataset rolled"
                        + " back x%d, dataset committed x%d, database x%d; %d samples checked, %d lost or doubled;"
                        + " sessions and locks gone within %d ms; clean runs up %d ms, down %d ms, start-up %d ms; %d s"
                        + " in all",
                test, Backend.name(), seed, s.faults, faults, s.upFaults, s.downFaults, datasets(), s.samples,
                s.finishedFirst, particulars, s.seen("moment start-up"), s.seen("moment timed"), s.seen("moment step"),
                s.seen("db " + V1), s.seen("db " + V4), s.seen(V1), s.seen(V4), s.seen("after: nothing moved yet"),
                s.seen("after: half done"), s.seen("after: all moved"), s.seen("cut rolled back"),
                s.seen("cut committed"), s.seen("cut database"), s.samplesChecked, s.lostOrDoubled, s.slowestRelease,
                upMillis, downMillis, startMillis, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)));
    }

    /** How migrators ended by themselves after their faults, for the summary of a fault that does not kill them. */
    String exits() {
        return "the migrator then exited with " + stats.seenStartingWith("exit ") + ", within " + stats.slowestExit
                + " ms at most";
    }

    /**
     * Runs {@code command} in a JVM of its own, strikes it with the fault at the moment, and checks
     * what is left (see {@link AfterRunChecks#checkAfter}). A migrator that the fault does not kill
     * must end by itself: done (exit 0, and then everything is at the target), or failed cleanly
     * (see {@link MigratorOutput#assertFailedCleanly}).
     */
    private void faultOnce(String[] command, String target, HeldState before, Moment moment, Fault fault)
            throws Exception {
        long maxId = maxHistoryId();
        Path out = Files.createTempFile(scratch, "migrate", ".txt");
        Process p = Processes.start(current, Map.of("CAIRN_DATABASE_ADMIN", "true"), out, command);
        String struck = null;
        try (Connection c = Backend.raw(current)) {
            if (moment.await(p, out, c, maxId)) {
                struck = fault.strike(p, c);
            }
        } catch (SQLException closing) {
            if (struck == null) {
                throw closing;
            }
            // closing a connection that the fault broke
        }
        String what = "cairn " + String.join(" ", command) + ", " + fault.name() + " at " + moment.describe()
                + (struck == null ? "" : " (" + struck + ")");
        stats.count("moment " + moment.describe().replaceAll(":.*", "").replaceAll("step \\d+", "step"));
        if (struck == null) {
            if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(what + ": did not end in " + PROCESS_TIMEOUT_SECONDS + " s\n" + Files.readString(out));
            }
            assertNoWait(what, Files.readString(out));
            stats.finishedFirst++;
            assertThat(p.exitValue()).as("cairn %s\n%s", String.join(" ", command), Files.readString(out)).isZero();
            checks.assertFinished(checks.checkAfter(what + " (finished first)", maxId, true), target, before);
            return;
        }
        fault.settle(p, out);
        assertThat(p.isAlive()).as("%s: the migrator is gone", what).isFalse();
        String output = Files.readString(out);
        assertNoWait(what, output);
        stats.faults++;
        if (target.equals(V4)) {
            stats.upFaults++;
        } else {
            stats.downFaults++;
        }
        int exit = p.exitValue();
        boolean exited = !fault.killsTheMigrator();
        if (VERBOSE) {
            System.out.println(what + ": exit " + (exited ? exit : "(killed)") + "; " + output.lines()
                    .filter(l -> l.startsWith("cairn: ") || l.startsWith("The migration") || l.contains(" failed "))
                    .reduce((a, b) -> a + " | " + b).orElse("no message"));
        }
        HeldState after = checks.checkAfter(what, maxId, exited && exit == 0);
        assertThat(after.pending()).as("%s: the recorded migration is the struck one's, or the one before it, or none",
                what).isIn(null, target, before.pending());
        if (exited) {
            if (exit == 0) {
                checks.assertFinished(after, target, before);
                stats.count("exit 0");
            } else {
                assertFailedCleanly(what, exit, output, command);
                stats.count("exit " + exit);
            }
        }
        stats.count("db " + after.database());
        after.datasets().values().forEach(d -> stats.count(d.version()));
        boolean moved = !after.database().equals(before.database()) || after.datasets().values().stream()
                .anyMatch(d -> !d.version().equals(before.datasets().get(d.id()).version()));
        boolean all = after.database().equals(target)
                && after.datasets().values().stream().allMatch(d -> d.version().equals(target));
        stats.count(!moved ? "after: nothing moved yet" : all ? "after: all moved" : "after: half done");
    }

    /** Runs the command to its end; checks that everything reached {@code target}, whole. */
    long runToCompletion(String[] command, String target) throws Exception {
        long maxId = maxHistoryId();
        HeldState before = HeldState.read(current);
        long t0 = System.nanoTime();
        Processes.Finished done = Processes.run(current, Map.of(), command);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(done.exit()).as("cairn %s\n%s", String.join(" ", command), done.output()).isZero();
        assertNoWait(String.join(" ", command), done.output());
        HeldState s = checks.checkAfter(String.join(" ", command), maxId, true);
        checks.assertFinished(s, target, before);
        return millis;
    }

    private long maxHistoryId() {
        return Queries.query(current, c -> Queries.number(c, "SELECT coalesce(max(id), 0) FROM cairn.history"));
    }
}
