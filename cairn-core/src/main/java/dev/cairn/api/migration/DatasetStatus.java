package dev.cairn.api.migration;

import dev.cairn.api.Version;

/**
 * One dataset as {@code cairn migrate --info} shows it.
 *
 * @param version the data model version of its content
 * @param samples how many samples it holds
 * @param status  what this client would do with it, in words: "up to date", "upgrades to 0.3.0 when
 *                next loaded", "migrating now: ...", "needs a newer client", ...
 */
public record DatasetStatus(String name, Version version, long samples, String status) {
}
