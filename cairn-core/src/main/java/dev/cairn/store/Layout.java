package dev.cairn.store;

import dev.cairn.api.Version;

/**
 * What the stored data looks like at one data model version: the storage layer reads and writes
 * through this, so that a client working at an older version (an older database, or the client
 * of an older release) writes exactly what that version's clients write.
 */
public record Layout(Version version) {

    /** Samples carry {@code created_at} and {@code last_modified_at} (revision 0.2.0). */
    public static final Version SAMPLE_TIMESTAMPS = Version.of(0, 2, 0);
    /** The database keeps saved views (revision 0.3.0). */
    public static final Version SAVED_VIEWS = Version.of(0, 3, 0);
    /** Detection boxes are stored as corners {@code [x1, y1, x2, y2]} (revision 0.4.0). */
    public static final Version BOX_CORNERS = Version.of(0, 4, 0);

    public static Layout at(Version version) {
        return new Layout(version);
    }

    public boolean sampleTimestamps() {
        return version.isAtLeast(SAMPLE_TIMESTAMPS);
    }

    public boolean savedViews() {
        return version.isAtLeast(SAVED_VIEWS);
    }

    public boolean boxCorners() {
        return version.isAtLeast(BOX_CORNERS);
    }
}
