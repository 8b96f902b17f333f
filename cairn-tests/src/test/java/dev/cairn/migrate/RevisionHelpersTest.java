package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Feedback;
import dev.cairn.api.Query;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Processes;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The helpers revisions use to change whole datasets: set-based in batches across many batch
 * boundaries, and in Java through a cursor and COPY, in a JVM whose heap is far smaller than the
 * dataset, going up and down again to exactly what was there.
 */
class RevisionHelpersTest {

    private static final int SAMPLES = 230_000;

    @Test
    void wholeDatasetRewritesRunInBatchesAndInJavaWithFlatMemory() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config, RewriteModelMain.model().asOfRelease(Version.parse("0.4.0")), Feedback.NONE)) {
            cairn.create("big").addAll(() -> new Iterator<Sample>() {
                int i;

                @Override
                public boolean hasNext() {
                    return i < SAMPLES;
                }

                @Override
                public Sample next() {
                    int n = i++;
                    Sample s = Sample.of("/big/" + n + ".jpg").withTags("train", "batch-" + (n % 7))
                            .with("note", "x".repeat(100));
                    return n % 3 == 0 ? s : s.with("old", n);
                }
            });
        }
        String before = samples(config);
        Path dir = Backend.scratch("rewrite");
        run(config, dir, "0.8.0");
        try (Cairn cairn = Cairn.open(config, RewriteModelMain.model(), Feedback.NONE);
             Stream<Sample> all = cairn.dataset("big").stream(Query.all())) {
            long[] n = {0};
            all.forEach(s -> {
                long i = Long.parseLong(s.filepath().replaceAll("\\D", ""));
                assertThat(s.tags()).containsExactly("TRAIN", "BATCH-" + (i % 7));
                assertThat(s.get("new")).isEqualTo(i % 3 == 0 ? null : i);
                assertThat(s.fields()).doesNotContainKey("old");
                n[0]++;
            });
            assertThat(n[0]).isEqualTo(SAMPLES);
        }
        run(config, dir, "0.4.0");
        assertThat(samples(config)).as("down undid up, to the byte, times of change included").isEqualTo(before);
        try (Cairn cairn = Cairn.open(config, RewriteModelMain.model().asOfRelease(Version.parse("0.4.0")), Feedback.NONE)) {
            List<Sample> some = cairn.dataset("big").list(Query.all().limit(4));
            assertThat(some).extracting(s -> s.get("old")).containsExactly(null, 1L, 2L, null);
            assertThat(some.get(1).tags()).containsExactly("train", "batch-1");
        }
    }

    private static String samples(CairnConfig config) {
        return Queries.query(config, c -> Queries.string(c, "SELECT md5(string_agg(t::text, '|' ORDER BY t.id))"
                + " FROM cairn_data.samples_1 t"));
    }

    private static void run(CairnConfig config, Path dir, String version) throws Exception {
        Path out = dir.resolve("to-" + version + ".txt");
        Process p = Processes.start(Backend.environment(config), Map.of(), List.of("-Xmx48m"),
                RewriteModelMain.class.getName(), out, version);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(out)).isZero();
    }
}
