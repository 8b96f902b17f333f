package dev.cairn.migrate;

import dev.cairn.testing.Queries;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.cairn.migrate.FaultRun.PROCESS_TIMEOUT_SECONDS;
import static dev.cairn.migrate.MigratorOutput.assertNoWait;
import static org.assertj.core.api.Assertions.fail;


/** When to strike a migrator: after a delay, or when its n-th step has begun (and a little more). */
interface Moment {
    /** Waits for the moment; false if the process ended before it. */
    boolean await(Process p, Path output, Connection c, long historyBefore) throws Exception;

    String describe();

    /**
     * A moment drawn at random for a run with {@code steps} steps left: while it starts, anywhere
     * in the {@code workMillis} its work should take after its {@code startMillis} of start-up, or
     * at one of its steps.
     */
    static Moment draw(Random random, int steps, long startMillis, long workMillis) {
        int how = random.nextInt(4);
        if (how == 0 || steps == 0) {
            // while the JVM starts, connects, takes the lock and plans
            return after("start-up", (long) (random.nextDouble() * startMillis));
        } else if (how == 1) {
            // anywhere in what is left, up to a little past its end: mostly inside the big steps
            return after("timed", startMillis + (long) (random.nextDouble() * workMillis * 1.15));
        } else {
            // just as a chosen step begins, or a little into it: reaches the small steps, the
            // database step and the very end as often as the big steps
            // (the last one, a third of the time: a downgrade's database step comes last)
            return atStep(random.nextInt(3) == 0 ? steps : 1 + random.nextInt(steps), random.nextInt(40));
        }
    }

    static Moment after(String kind, long millis) {
        return new Moment() {
            @Override
            public boolean await(Process p, Path output, Connection c, long historyBefore)
                    throws InterruptedException {
                return !p.waitFor(millis, TimeUnit.MILLISECONDS);
            }

            @Override
            public String describe() {
                return kind + ": " + millis + " ms after it started";
            }
        };
    }

    static Moment atStep(int step, long jitterMillis) {
        return new Moment() {
            @Override
            public boolean await(Process p, Path output, Connection c, long historyBefore) throws Exception {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_SECONDS);
                while (p.isAlive()) {
                    if (stepsBegun(c, historyBefore) >= step) {
                        return !p.waitFor(jitterMillis, TimeUnit.MILLISECONDS);
                    }
                    assertNoWait("cairn migrate, before its step " + step, Files.readString(output));
                    if (System.nanoTime() > deadline) {
                        fail("step " + step + " of the migration did not begin in " + PROCESS_TIMEOUT_SECONDS
                                + " s: is the database still locked?\n" + Files.readString(output));
                    }
                    Thread.sleep(3);
                }
                return false;
            }

            @Override
            public String describe() {
                return "step " + step + ": " + jitterMillis + " ms after it began";
            }
        };
    }

    /** How many steps began after the history entry {@code historyBefore}: one entry each. */
    private static long stepsBegun(Connection c, long historyBefore) throws SQLException {
        return Queries.number(c, "SELECT count(*) FROM cairn.history WHERE id > ?", historyBefore);
    }
}
