package dev.cairn.api.migration;

import dev.cairn.api.Version;

import java.time.Instant;

/**
 * A migration of the database that an admin started and has not finished: under way while its
 * session lives, interrupted once it is gone. While one is recorded, no client moves a dataset
 * the other way.
 *
 * @param target  the version the admin is moving the database to
 * @param release the release the admin runs
 * @param by      who started it (user@host)
 * @param since   when it started
 * @param live    whether the session that runs it is still connected
 */
public record PendingMigration(Version target, String release, String by, Instant since, boolean live) {

    public String describe() {
        return (live ? "under way: " : "interrupted: ") + by + " (release " + release + ") began moving the database to "
                + target + " at " + since;
    }
}
