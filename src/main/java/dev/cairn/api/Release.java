package dev.cairn.api;

import java.util.Objects;

/**
 * A release of Cairn and the data model version it works at. Several releases can share one
 * data model version.
 */
public record Release(Version release, Version dataModel) {

    public Release {
        Objects.requireNonNull(release, "release");
        Objects.requireNonNull(dataModel, "dataModel");
    }

    public static Release of(String release, String dataModel) {
        return new Release(Version.parse(release, "release"), Version.parse(dataModel));
    }
}
