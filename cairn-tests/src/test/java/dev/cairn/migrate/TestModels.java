package dev.cairn.migrate;

import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Version;
import dev.cairn.model.CairnModel;

import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Data models of the tests' own: Cairn's shipped revisions and one more, slow on purpose. */
final class TestModels {

    private TestModels() {
    }

    /**
     * The shipped model plus a compatible dataset revision 0.9.0 whose up and down each sleep,
     * so that a migration through it is under way long enough to watch.
     */
    static DataModel withSlowRevision(double seconds) {
        List<Revision> revisions = new ArrayList<>(CairnModel.shipped().revisions());
        revisions.add(Revision.dataset("0.9.0", "a test revision that takes its time").compatible(true)
                .up(ctx -> sleep(ctx.connection(), seconds))
                .down(ctx -> sleep(ctx.connection(), seconds))
                .build());
        List<Release> releases = new ArrayList<>(CairnModel.shipped().releases());
        releases.add(Release.of("0.9.0", "0.9.0"));
        return DataModel.of(revisions, releases);
    }

    private static void sleep(java.sql.Connection c, double seconds) throws java.sql.SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_sleep(" + seconds + ")");
        }
    }

    static Version v(String text) {
        return Version.parse(text);
    }

    /** A Feedback that keeps every notice, to check what waiting clients are told. */
    static final class Notices implements Feedback {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void notice(String message) {
            seen.add(message);
        }
    }
}
