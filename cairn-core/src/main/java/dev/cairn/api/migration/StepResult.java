package dev.cairn.api.migration;

import dev.cairn.api.Version;

import java.time.Duration;
import java.util.Optional;

/**
 * What one step of a migration did: the database or one dataset, from and to which version.
 *
 * @param dataset the dataset's name, or empty for the database
 * @param outcome what happened
 * @param message why it failed or was skipped, for people
 */
public record StepResult(Optional<String> dataset, Version from, Version to, Outcome outcome, Duration took,
                         String message) {

    /** How a step ended. */
    public enum Outcome {
        /** The step ran and was committed. */
        DONE,
        /** Nothing was needed: another client had done it, or the dataset is gone. */
        SKIPPED,
        /** The step failed and was rolled back: its target is as it was. */
        FAILED,
        /** The step did not run: the migration stopped at an earlier failure. */
        NOT_RUN;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    public String target() {
        return dataset.map(d -> "dataset " + dev.cairn.api.Texts.quoted(d)).orElse("database");
    }
}
