package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.Cairn;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Classification;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Metadata;
import dev.cairn.api.Sample;
import dev.cairn.testing.Json;
import dev.cairn.testing.Queries;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Samples, digests and checks that the concurrency tests share with the processes they start. */
final class Fixtures {

    private Fixtures() {
    }

    /**
     * {@code n} samples, each with one to three detections whose boxes are off the image's left
     * and top edges (x, y &gt; 0), so that converting a box to corners twice gives a wrong width
     * when it is read back; plus a classification, a float and a tag.
     */
    static List<Sample> samplesWithBoxes(int n, int seed) {
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = seed * 7919 + i;
            List<Detection> detections = new ArrayList<>();
            for (int j = 0; j <= k % 3; j++) {
                double x = 0.01 * (1 + (k + j) % 40);
                double y = 0.1 + 0.001 * ((k * 31 + j) % 300);
                double w = 0.3 / (1 + (k + 3 * j) % 7);
                double h = 0.2 + 0.0001 * (k % 977);
                detections.add(new Detection(j % 2 == 0 ? "cat" : "dog", BoundingBox.of(x, y, w, h),
                        j == 1 ? null : 0.5 + (k % 50) / 100.0, j == 2 ? Map.of("occluded", true) : Map.of()));
            }
            out.add(Sample.of("/data/" + seed + "/img" + i + ".jpg").withTags(i % 2 == 0 ? "train" : "val")
                    .withMetadata(Metadata.image(640, 480, 1000L + i, "image/jpeg"))
                    .with("boxes", new Detections(detections))
                    .with("label", Classification.of(k % 3 == 0 ? "cat" : "dog", (k % 100) / 100.0))
                    .with("score", k / 7.0));
        }
        return out;
    }

    /** A digest of samples' content that does not depend on their order or their fields' order. */
    static String digest(Collection<Sample> samples) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            samples.stream().sorted(Comparator.comparing(Sample::id)).forEach(s -> {
                String line = s.id() + "|" + s.filepath() + "|" + s.tags() + "|" + s.metadata() + "|"
                        + new TreeMap<>(s.fields()) + "\n";
                md.update(line.getBytes(StandardCharsets.UTF_8));
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Sample> byId(Collection<Sample> samples) {
        return samples.stream().collect(Collectors.toMap(Sample::id, Function.identity(), (a, b) -> {
            throw new AssertionError("sample " + a.id() + " twice");
        }, LinkedHashMap::new));
    }

    static Map<String, Sample> readAll(Dataset d) {
        try (Stream<Sample> all = d.stream()) {
            return byId(all.toList());
        }
    }

    /** Reads a dataset through a client and checks that it holds exactly the samples written. */
    static void assertHolds(Cairn client, String name, List<Sample> written) {
        Dataset d = client.dataset(name);
        assertThat(readAll(d)).as("the samples of %s read back", name).isEqualTo(byId(written));
        assertThat(d.count()).as("the count of %s", name).isEqualTo(written.size());
    }

    /**
     * Checks that every box of the dataset is stored as the exact decimal corners of the box
     * written: {@code [x, y, x + w, y + h]}, converted once.
     */
    static void assertStoredAsCorners(CairnConfig config, String name, List<Sample> written) {
        Map<String, String> stored = Stored.sampleFields(config, Queries.datasetId(config, name));
        assertThat(stored.keySet()).as("the samples stored in %s", name)
                .containsExactlyInAnyOrderElementsOf(written.stream().map(Sample::id).toList());
        for (Sample s : written) {
            JsonNode boxes = Json.parse(stored.get(s.id())).get("boxes").get("detections");
            List<Detection> detections = ((Detections) s.get("boxes")).detections();
            assertThat(boxes.size()).isEqualTo(detections.size());
            for (int i = 0; i < detections.size(); i++) {
                BoundingBox b = detections.get(i).boundingBox();
                BigDecimal x = decimal(b.x());
                BigDecimal y = decimal(b.y());
                List<BigDecimal> expected = List.of(x, y, x.add(decimal(b.width())), y.add(decimal(b.height())));
                JsonNode box = boxes.get(i).get("bounding_box");
                for (int k = 0; k < 4; k++) {
                    assertThat(box.get(k).decimalValue()).as("corner %d of box %d of sample %s in %s: %s for %s", k, i,
                            s.id(), name, box, b).isEqualByComparingTo(expected.get(k));
                }
            }
        }
    }

    private static BigDecimal decimal(double d) {
        return new BigDecimal(Double.toString(d));
    }
}
