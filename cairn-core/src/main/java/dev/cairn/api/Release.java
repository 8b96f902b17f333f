package dev.cairn.api;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A release of Cairn, the data model version it works at, and the commit it was built from. Several
 * releases can share one data model version. A release without a commit is one not recorded in the
 * release table: this build, before its commit is recorded, or a model of a test's own.
 */
public record Release(Version release, Version dataModel, Optional<String> commit) {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public Release {
        Objects.requireNonNull(release, "release");
        Objects.requireNonNull(dataModel, "dataModel");
        Objects.requireNonNull(commit, "commit");
        if (commit.isPresent() && !COMMIT.matcher(commit.get()).matches()) {
            throw new IllegalArgumentException("release " + release + ": a commit is a full git hash of 40 lowercase"
                    + " hex digits, not " + Texts.quoted(commit.get()));
        }
    }

    /** A release with no recorded commit. */
    public static Release of(String release, String dataModel) {
        return new Release(Version.parse(release, "release"), Version.parse(dataModel), Optional.empty());
    }

    /** A release that was cut, from the commit it was built from. */
    public static Release cut(String release, String dataModel, String commit) {
        return new Release(Version.parse(release, "release"), Version.parse(dataModel), Optional.of(commit));
    }

    /** Whether the release table records the commit this release was built from. */
    public boolean recorded() {
        return commit.isPresent();
    }
}
