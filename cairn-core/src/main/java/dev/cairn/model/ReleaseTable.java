package dev.cairn.model;

import dev.cairn.api.Release;
import dev.cairn.api.Version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The release table, {@code releases.tsv} at the repository's root: every release ever cut, its
 * data model version and the commit it was built from. The jar carries it as a resource and
 * {@code install.sh --release} reads the same file, so there is one list and no git tags.
 */
final class ReleaseTable {

    static final String RESOURCE = "/dev/cairn/releases.tsv";

    private ReleaseTable() {
    }

    /** The releases recorded in the jar's table, oldest first. */
    static List<Release> recorded() {
        try (InputStream in = ReleaseTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The rows of a release table: {@code RELEASE DATA_MODEL COMMIT} a line, separated by tabs or
     * spaces; blank lines and lines starting with {@code #} are skipped.
     *
     * @throws IllegalStateException if a line is malformed or the releases are out of order
     */
    static List<Release> parse(String text) {
        List<Release> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\\s+");
            if (cells.length != 3) {
                throw new IllegalStateException("release table, line " + (i + 1) + ": expected RELEASE DATA_MODEL"
                        + " COMMIT, found " + cells.length + " columns: " + line);
            }
            Release r;
            try {
                r = Release.cut(cells[0], cells[1], cells[2]);
            } catch (RuntimeException e) {
                throw new IllegalStateException("release table, line " + (i + 1) + ": " + e.getMessage(), e);
            }
            if (!rows.isEmpty() && !r.release().isAfter(rows.get(rows.size() - 1).release())) {
                throw new IllegalStateException("release table, line " + (i + 1) + ": releases are listed oldest"
                        + " first, and " + r.release() + " comes after " + rows.get(rows.size() - 1).release());
            }
            rows.add(r);
        }
        return List.copyOf(rows);
    }

    /**
     * The recorded releases and this build's own. A build whose release is newer than every
     * recorded one (cut but not yet recorded, or not cut yet) is appended without a commit, at the
     * newest data model version it ships; a build of a recorded release must work at that
     * release's data model.
     *
     * @throws IllegalStateException if this build contradicts the table
     */
    static List<Release> withThisBuild(List<Release> recorded, Version build, Version newestRevision) {
        Optional<Release> same = recorded.stream().filter(r -> r.release().equals(build)).findFirst();
        if (same.isPresent()) {
            if (!same.get().dataModel().equals(newestRevision)) {
                throw new IllegalStateException("this build is release " + build + ", which the release table records"
                        + " at data model " + same.get().dataModel() + ", but its newest revision is " + newestRevision
                        + ": a new data model needs a new release (bump the version in pom.xml)");
            }
            return recorded.stream().filter(r -> r.release().isAtMost(build)).toList();
        }
        if (!recorded.isEmpty() && !build.isAfter(recorded.get(recorded.size() - 1).release())) {
            throw new IllegalStateException("this build is release " + build + ", which the release table does not"
                    + " list, though it lists newer releases: is pom.xml's version right?");
        }
        List<Release> all = new ArrayList<>(recorded);
        all.add(new Release(build, newestRevision, Optional.empty()));
        return List.copyOf(all);
    }
}
