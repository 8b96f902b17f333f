package dev.cairn.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one client knows: every revision of the data model up to its own version, and every
 * release up to its own. A client never knows the future, so a data model built
 * {@link #asOfRelease as of} an older release behaves exactly as that release's client would.
 */
public final class DataModel {

    private static final Comparator<Revision> ORDER = Comparator.comparing(Revision::version)
            .thenComparing(Revision::scope);

    private final List<Revision> revisions;
    private final List<Release> releases;

    private DataModel(List<Revision> revisions, List<Release> releases) {
        this.revisions = revisions;
        this.releases = releases;
    }

    /**
     * A data model from its revisions and release table; the client's own release is the last
     * release, and its data model version is that release's.
     *
     * @throws IllegalArgumentException if the revisions or releases contradict each other
     */
    public static DataModel of(List<Revision> revisions, List<Release> releases) {
        if (revisions.isEmpty() || releases.isEmpty()) {
            throw new IllegalArgumentException("a data model needs at least one revision and one release");
        }
        List<Revision> sorted = new ArrayList<>(revisions);
        sorted.sort(ORDER);
        for (int i = 1; i < sorted.size(); i++) {
            Revision a = sorted.get(i - 1);
            Revision b = sorted.get(i);
            if (a.version().equals(b.version()) && a.scope() == b.scope()) {
                throw new IllegalArgumentException("two " + a.scope().text() + " revisions have version " + a.version());
            }
        }
        TreeSet<Version> versions = sorted.stream().map(Revision::version).collect(Collectors.toCollection(TreeSet::new));
        for (int i = 0; i < releases.size(); i++) {
            Release r = releases.get(i);
            if (!versions.contains(r.dataModel())) {
                throw new IllegalArgumentException("release " + r.release() + " has data model " + r.dataModel()
                        + ", which no revision has");
            }
            if (i > 0) {
                Release before = releases.get(i - 1);
                if (!r.release().isAfter(before.release()) || r.dataModel().isBefore(before.dataModel())) {
                    throw new IllegalArgumentException("releases must be listed in order, and their data models never go"
                            + " back: " + before + " then " + r);
                }
            }
        }
        if (!releases.get(releases.size() - 1).dataModel().equals(versions.last())) {
            throw new IllegalArgumentException("the newest revision, " + versions.last()
                    + ", belongs to no release: the last release has data model "
                    + releases.get(releases.size() - 1).dataModel());
        }
        return new DataModel(List.copyOf(sorted), List.copyOf(releases));
    }

    /**
     * This data model as the client of an older release knows it: only the revisions and
     * releases up to that release.
     *
     * @throws NotFoundException if there is no such release
     */
    public DataModel asOfRelease(Version release) {
        Release r = findRelease(release).orElseThrow(() -> new NotFoundException("there is no Cairn release "
                + release + "; the releases are " + releases.stream().map(x -> x.release().toString())
                .collect(Collectors.joining(", ")) + " (see {0})", List.of(new Remedy.ListReleases())));
        List<Revision> known = revisions.stream().filter(x -> x.version().isAtMost(r.dataModel())).toList();
        List<Release> knownReleases = releases.stream().filter(x -> x.release().isAtMost(release)).toList();
        return new DataModel(known, knownReleases);
    }

    /**
     * This data model as a build at an older data model version would know it, whether or not a
     * release was cut at that version: the client of the newest release at {@code dataModel} if
     * there is one, else a build that calls itself release {@code dataModel} and knows the releases
     * before it. For tests of clients between releases.
     *
     * @throws NotFoundException if {@code dataModel} is no version of this data model
     */
    public DataModel asOfDataModel(Version dataModel) {
        if (!knows(dataModel) || dataModel.isAfter(version())) {
            throw new NotFoundException("there is no data model version " + dataModel + "; the versions are "
                    + versions().stream().map(Version::toString).collect(Collectors.joining(", ")));
        }
        Optional<Release> cut = newestReleaseAt(dataModel);
        if (cut.isPresent()) {
            return asOfRelease(cut.get().release());
        }
        List<Revision> known = revisions.stream().filter(x -> x.version().isAtMost(dataModel)).toList();
        List<Release> knownReleases = new ArrayList<>(releases.stream().filter(x -> x.dataModel().isBefore(dataModel)).toList());
        knownReleases.add(new Release(dataModel, dataModel, Optional.empty()));
        return of(known, knownReleases);
    }

    /** This client's release. */
    public Version release() {
        return releases.get(releases.size() - 1).release();
    }

    /** This client's data model version: the newest revision it knows. */
    public Version version() {
        return releases.get(releases.size() - 1).dataModel();
    }

    /** The first data model version; nothing is older. */
    public Version baseline() {
        return revisions.get(0).version();
    }

    public List<Revision> revisions() {
        return revisions;
    }

    public List<Release> releases() {
        return releases;
    }

    /** Every data model version this client knows, oldest first. */
    public List<Version> versions() {
        return revisions.stream().map(Revision::version).distinct().toList();
    }

    /** Whether {@code v} is a data model version this client knows. */
    public boolean knows(Version v) {
        return revisions.stream().anyMatch(r -> r.version().equals(v));
    }

    public Optional<Release> findRelease(Version release) {
        return releases.stream().filter(r -> r.release().equals(release)).findFirst();
    }

    /** The revisions of the given scope with {@code low < version <= high}, oldest first. */
    public List<Revision> between(Version low, Version high, Revision.Scope scope) {
        return revisions.stream()
                .filter(r -> r.scope() == scope && r.version().isAfter(low) && r.version().isAtMost(high))
                .toList();
    }

    /** The revisions of both scopes with {@code low < version <= high}, oldest first. */
    public List<Revision> between(Version low, Version high) {
        return revisions.stream().filter(r -> r.version().isAfter(low) && r.version().isAtMost(high)).toList();
    }

    /** The oldest revision in {@code (low, high]} that is not compatible, if any. */
    public Optional<Revision> firstIncompatible(Version low, Version high) {
        return between(low, high).stream().filter(r -> !r.compatible()).findFirst();
    }

    /**
     * The oldest data model version that can still use data at {@code version}: the newest
     * incompatible revision at or below it (of the given scope, or of any scope if {@code null}),
     * or the baseline.
     */
    public Version oldestAccepting(Version version, Revision.Scope scope) {
        Version oldest = baseline();
        for (Revision r : revisions) {
            if (r.version().isAfter(baseline()) && r.version().isAtMost(version) && !r.compatible()
                    && (scope == null || r.scope() == scope)) {
                oldest = Version.max(oldest, r.version());
            }
        }
        return oldest;
    }

    /**
     * The newest release that works on data at {@code version} as it is: its data model is at most
     * {@code version} and at least the oldest that {@code version} accepts.
     */
    public Optional<Release> newestReleaseWorkingAt(Version version) {
        Version oldest = oldestAccepting(version, null);
        Release found = null;
        for (Release r : releases) {
            if (r.dataModel().isAtMost(version) && r.dataModel().isAtLeast(oldest)) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The newest release whose data model is exactly {@code dataModel}. */
    public Optional<Release> newestReleaseAt(Version dataModel) {
        Release found = null;
        for (Release r : releases) {
            if (r.dataModel().equals(dataModel)) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The oldest release whose data model is at least {@code dataModel}. */
    public Optional<Release> oldestReleaseFrom(Version dataModel) {
        return releases.stream().filter(r -> r.dataModel().isAtLeast(dataModel)).findFirst();
    }
}
