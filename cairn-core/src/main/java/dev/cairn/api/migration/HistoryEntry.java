package dev.cairn.api.migration;

import java.time.Instant;
import java.util.Optional;

/**
 * One migration, as {@code cairn migrate --history} shows it: what moved, from and to which
 * version, who ran it with which release, when, how long it took, and how it ended.
 *
 * @param dataset  the dataset's name, or empty for the database itself
 * @param by       who the client said it ran for (user@host, as its client wrote it)
 * @param databaseUser the database user that really ran it, as the database recorded it
 * @param outcome  {@code ok}, {@code failed}, {@code running}, or {@code interrupted} (its client
 *                 is gone and nothing of the step was kept)
 */
public record HistoryEntry(long id, Optional<String> dataset, String from, String to, String by, String databaseUser,
                           String release, String command, Instant startedAt, Instant finishedAt, Long durationMillis,
                           String outcome, String message) {

    /**
     * Who ran it: the database user, which the database vouches for. What the client said of
     * itself ({@link #by}, user@host) is only its word, and is not shown as who ran it.
     */
    public String who() {
        return databaseUser;
    }

    public String target() {
        return dataset.map(d -> "dataset " + d).orElse("database");
    }
}
