package dev.cairn.migrate;

import static org.assertj.core.api.Assertions.assertThat;

/** What a migrator that ran after, or through, a fault must say, read from its output. */
final class MigratorOutput {

    private MigratorOutput() {
    }

    /**
     * A migrator that a fault struck and that ended by itself without finishing the job: exit 1
     * (a step failed, the rest was not run) or 5 (the database went away), never "damaged" (6) nor
     * "refused" (3); a message in plain words that says the connection was lost (or the database
     * could not be reached) and, when steps were left undone, to run the same command again; no
     * stack trace, no "internal error".
     */
    static void assertFailedCleanly(String what, int exit, String output, String[] command) {
        assertThat(exit).as("%s: a migrator whose database went away exits with 1 (incomplete) or 5 (database"
                + " unreachable)\n%s", what, output).isIn(1, 5);
        assertThat(output).as("%s: no internal error, no stack trace", what)
                .doesNotContain("internal error").doesNotContain("Exception in thread").doesNotContain("\tat ");
        assertThat(output).as("%s: the message says what happened", what)
                .containsPattern("lost the connection to the database|cannot connect to the"
                        + "|the local database did not start");
        if (exit == 1) {
            assertThat(output).as("%s: an incomplete migration says so, and how to finish it", what)
                    .contains("is incomplete")
                    .contains("run the same migration again: cairn " + String.join(" ", command));
        }
        assertThat(output.lines().filter(l -> l.startsWith("cairn: error: ") || l.startsWith("The migration to ")))
                .as("%s: one line says why it stopped\n%s", what, output).hasSize(1);
    }

    /**
     * Each run starts once what the run before left has ended, so it must never wait: not for the
     * migration lock, not for a dataset. A lock that outlived its dead holder would show here.
     * (Waiting for another process that is starting the local server is not waiting for a lock.)
     */
    static void assertNoWait(String what, String output) {
        assertThat(output.lines().filter(l -> l.startsWith("cairn: waiting")
                        && !l.startsWith("cairn: waiting for another Cairn process that is starting the local database")))
                .as("%s: a migrator that follows a dead one goes on at once\n%s", what, output).isEmpty();
    }
}
