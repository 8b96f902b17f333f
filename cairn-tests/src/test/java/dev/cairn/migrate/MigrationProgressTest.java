package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Feedback;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code migrate --all} tells the feedback that the CLI draws its bars from: while a large
 * dataset's revision runs, its samples' progress comes batch by batch, in counts that grow to an
 * exact total, within the overall task of the datasets; going down (0.4.0's {@code down}) and up.
 */
class MigrationProgressTest {

    /** More than two batches of the batched update, so that a migration reports at least three times. */
    private static final int SAMPLES = 210_000;

    @Test
    void aLargeDatasetReportsItsSamplesBatchByBatchBothWays() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config)) {
            cairn.create("big").add(Sample.of("/big/0.jpg").with("gt",
                    Detections.of(Detection.of("car", BoundingBox.of(0.1, 0.2, 0.3, 0.4)))));
            cairn.create("small").add(Sample.of("/small/0.jpg"));
        }
        String table = "cairn_data.samples_" + Queries.datasetId(config, "big");
        Queries.execute(config, "INSERT INTO " + table + " (id, filepath, tags, metadata, fields) SELECT"
                        + " md5(g::text)::uuid, filepath || g, tags, metadata, fields FROM " + table
                        + ", generate_series(1, " + (SAMPLES - 1) + ") g",
                // PostgreSQL's estimate of the rows, which the progress starts from, is stale: the total must
                // still be exact
                "UPDATE pg_class SET reltuples = 150000 WHERE oid = '" + table + "'::regclass");

        for (String to : new String[]{"0.3.0", "0.4.0"}) {
            Recorder recorder = new Recorder();
            try (Migrations m = Migrations.open(config, recorder)) {
                MigrationResult r = m.migrate(MigrationRequest.all().to(Version.parse(to)));
                assertThat(r.complete()).as(r.summary()).isTrue();
            }
            List<Event> events = recorder.events();
            int overallStart = indexOf(events, "start", "migrating 2 datasets to " + to);
            int overallClose = indexOf(events, "close", "migrating 2 datasets to " + to);
            List<Event> big = events.stream().filter(e -> e.task().startsWith("dataset 'big': ")).toList();
            assertThat(big.get(0).kind()).isEqualTo("start");
            assertThat(big.get(0).unit()).isEqualTo("samples");
            assertThat(big.get(big.size() - 1).kind()).isEqualTo("close");
            assertThat(events.indexOf(big.get(0))).as("within the overall task").isGreaterThan(overallStart);
            assertThat(events.indexOf(big.get(big.size() - 1))).as("within the overall task").isLessThan(overallClose);

            long total = big.get(0).n();
            long done = 0;
            List<Long> counts = new ArrayList<>();
            for (Event e : big) {
                if (e.kind().equals("total")) {
                    total = e.n();
                } else if (e.kind().equals("advance")) {
                    assertThat(e.n()).as("each batch moves the count forward").isPositive();
                    done += e.n();
                    counts.add(done);
                }
            }
            assertThat(counts).as("one update a batch of the migration to " + to).hasSizeGreaterThanOrEqualTo(3);
            assertThat(total).as("the exact total, whatever PostgreSQL estimated").isEqualTo(SAMPLES);
            assertThat(done).isEqualTo(SAMPLES);
        }
        try (Cairn cairn = Cairn.open(config)) {
            assertThat(cairn.dataset("big").count()).isEqualTo(SAMPLES);
        }
    }

    private static int indexOf(List<Event> events, String kind, String task) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind().equals(kind) && events.get(i).task().equals(task)) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " of '" + task + "' in " + events);
    }

    record Event(String kind, String task, long n, String unit) {
    }

    /** Feedback that keeps every call, in order, from whichever thread made it. */
    static final class Recorder implements Feedback {
        private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

        List<Event> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        @Override
        public Progress start(String task, long total, String unit) {
            events.add(new Event("start", task, total, unit));
            return new Progress() {
                @Override
                public void advance(long n) {
                    events.add(new Event("advance", task, n, unit));
                }

                @Override
                public void total(long t) {
                    events.add(new Event("total", task, t, unit));
                }

                @Override
                public void close() {
                    events.add(new Event("close", task, 0, unit));
                }
            };
        }
    }
}
