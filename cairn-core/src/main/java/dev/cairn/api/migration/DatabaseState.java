package dev.cairn.api.migration;

import dev.cairn.api.Version;

import java.time.Instant;
import java.util.Optional;

/**
 * The records a database keeps so that any client, older or newer, can judge it without knowing
 * the future: its version, the oldest data model version that can still use it, the release that
 * wrote it, its policy, whether an admin pinned it, and any migration under way.
 */
public record DatabaseState(Version version, Version minClientVersion, String writtenByRelease, Policy policy,
                            boolean pinned, Instant updatedAt, Optional<PendingMigration> pending) {
}
