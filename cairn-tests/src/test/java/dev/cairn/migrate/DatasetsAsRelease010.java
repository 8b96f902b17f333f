package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Classification;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Metadata;
import dev.cairn.api.Sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.cairn.migrate.FaultRun.V1;
import static org.assertj.core.api.Assertions.assertThat;

/** The datasets of a fault test, random but replayable from a seed, as release 0.1.0 writes them. */
final class DatasetsAsRelease010 {

    private DatasetsAsRelease010() {
    }

    /**
     * Creates, through a 0.1.0 client, {@code count} datasets named {@code prefix-NN} (every
     * fifth one, from the third, of {@code bigSize} samples, so that faults land inside their
     * steps as well as between steps; the others of 150 to 400), then one with quotes and accents
     * in its name, and an empty one. Returns the samples written, by dataset name.
     */
    static Map<String, List<Sample>> create(CairnConfig old, Random random, String prefix, int count, int bigSize) {
        List<String> datasetNames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            datasetNames.add(String.format("%s-%02d", prefix, i));
        }
        datasetNames.add("l'été \"quoted\" ✓");
        datasetNames.add("empty");
        Map<String, List<Sample>> written = new LinkedHashMap<>();
        try (Cairn cairn = Cairn.open(old)) {
            assertThat(cairn.workingVersion()).hasToString(V1);
            for (int i = 0; i < datasetNames.size(); i++) {
                String name = datasetNames.get(i);
                int size = name.equals("empty") ? 0 : i % 5 == 2 ? bigSize : 150 + random.nextInt(250);
                List<Sample> samples = new ArrayList<>(size);
                for (int j = 0; j < size; j++) {
                    samples.add(sample(random, name, j));
                }
                Dataset d = cairn.create(name);
                assertThat(d.addAll(samples)).isEqualTo(size);
                written.put(name, samples);
            }
        }
        return written;
    }

    private static Sample sample(Random r, String dataset, int i) {
        Sample s = Sample.of("/data/" + dataset + "/img" + i + ".jpg")
                .withTags(i % 3 == 0 ? List.of("train") : i % 3 == 1 ? List.of("val", "hard") : List.of())
                .withMetadata(Metadata.image(320 + r.nextInt(1600), 240 + r.nextInt(1000), 1000L + r.nextInt(1 << 20),
                        "image/jpeg"))
                .with("index", i)
                .with("score", r.nextDouble())
                .with("label", r.nextInt(10) == 0 ? Classification.of("cat")
                        : Classification.of(r.nextBoolean() ? "cat" : "dog", r.nextDouble()))
                .with("predictions", detections(r, true))
                .with("ground_truth", detections(r, false))
                .with("note", "sample " + i + " of " + dataset)
                .with("reviewed", r.nextBoolean())
                .with("taken", Instant.parse("2024-03-01T00:00:00Z").plusSeconds(r.nextInt(1 << 24)))
                .with("extra", Map.of("source", "camera-" + r.nextInt(4), "boxes", List.of(0.5, 0.25, 1)));
        if (i > 0 && i % 7 == 0) {
            s = s.without("ground_truth"); // a sparse detections field
        }
        return s;
    }

    private static Detections detections(Random r, boolean predicted) {
        int n = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(4);
        List<Detection> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double x = number(r, 1.0);
            double y = number(r, 1.0);
            BoundingBox box = BoundingBox.of(x, y, number(r, 1.0 - x), number(r, 1.0 - y));
            String label = List.of("person", "car", "bike", "dog").get(r.nextInt(4));
            out.add(predicted
                    ? new Detection(label, box, r.nextDouble(), Map.of("occluded", r.nextBoolean(), "track", k))
                    : Detection.of(label, box));
        }
        return new Detections(out);
    }

    /** A number from 0 to {@code max}: full double precision, a few decimals, or a round value. */
    private static double number(Random r, double max) {
        double v = r.nextDouble() * max;
        return switch (r.nextInt(6)) {
            case 0 -> 0.0;
            case 1 -> Math.min(max, 0.5);
            case 2 -> Math.floor(v * 10) / 10;
            case 3 -> Math.floor(v * 1000) / 1000;
            default -> v;
        };
    }
}
