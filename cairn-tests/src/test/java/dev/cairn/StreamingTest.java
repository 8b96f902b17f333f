package dev.cairn;

import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Processes;
import org.junit.jupiter.api.Test;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Import and export stream: a file far larger than the heap goes in and out of a JVM given
 * 32 MB, which could not hold its samples at once.
 */
class StreamingTest {

    private static final int SAMPLES = 150_000;

    @Test
    void importAndExportAFileLargerThanTheHeap() throws Exception {
        CairnConfig config = Backend.fresh();
        Path dir = Backend.scratch("streaming");
        Path in = dir.resolve("big.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            w.write("{\"cairn\":\"dataset\",\"format\":1,\"name\":\"big\",\"samples\":" + SAMPLES + ",\"fields\":["
                    + "{\"name\":\"gt\",\"type\":\"detections\"},{\"name\":\"note\",\"type\":\"string\"}]}\n");
            for (int i = 0; i < SAMPLES; i++) {
                w.write("{\"filepath\":\"/data/shard-" + (i % 100) + "/image-" + i + ".jpg\",\"tags\":[\"train\"],"
                        + "\"metadata\":{\"width\":1920,\"height\":1080,\"size_bytes\":" + (200000 + i)
                        + ",\"mime_type\":\"image/jpeg\"},\"fields\":{\"gt\":{\"detections\":[{\"label\":\"car\","
                        + "\"bounding_box\":[0.1,0.2,0.3,0.4],\"confidence\":0.9}]},\"note\":\"" + "n".repeat(60) + "\"}}\n");
            }
        }
        assertThat(Files.size(in)).as("the file is larger than the heap").isGreaterThan(32L << 20);

        Process p = Processes.start(Backend.environment(config), Map.of(), List.of("-Xmx32m"), "dev.cairn.cli.Main",
                dir.resolve("import.txt"), "import", in.toString());
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("import.txt"))).isZero();
        try (Cairn cairn = Cairn.open(config)) {
            assertThat(cairn.dataset("big").count()).isEqualTo(SAMPLES);
        }

        Path out = dir.resolve("out.jsonl");
        Process e = Processes.start(Backend.environment(config), Map.of(), List.of("-Xmx32m"), "dev.cairn.cli.Main",
                dir.resolve("export.txt"), "export", "big", out.toString());
        assertThat(e.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(e.exitValue()).as(Files.readString(dir.resolve("export.txt"))).isZero();
        try (var lines = Files.lines(out)) {
            assertThat(lines.count()).isEqualTo(SAMPLES + 1);
        }
        Files.delete(in);
        Files.delete(out);
    }
}
