package dev.cairn;

import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sample read back equals the sample written, down to the Java type of every value: two
 * smallest cases, with no migration involved, that Cairn gets wrong (found while writing the
 * revision round-trip properties, whose generators leave these values out).
 */
class ValueFidelityTest {

    private Cairn cairn;

    @BeforeEach
    void open() {
        CairnConfig config = Backend.fresh();
        cairn = Cairn.open(config);
    }

    @AfterEach
    void close() {
        cairn.close();
    }

    /**
     * A double whose value is whole and at least 1e7, inside untyped JSON (a dict, a list, a
     * detection's attributes), comes back as a Long: Jackson writes it as {@code 1.0E7},
     * PostgreSQL's numeric keeps it as {@code 10000000}, and reading turns an integral number
     * into a Long. (1e6 stays a Double: Jackson writes {@code 1000000.0}.)
     */
    @Test
    void wholeDoublesInJsonValuesComeBackAsDoubles() {
        Dataset d = cairn.create("numbers");
        Sample written = Sample.of("/a.jpg")
                .with("dict", Map.of("big", 1e7, "small", 1e6))
                .with("list", List.of(12345678.0, 2.5))
                .with("boxes", Detections.of(new Detection("cat", BoundingBox.of(0.1, 0.1, 0.5, 0.5), null,
                        Map.of("area_px", 3.0e7))));
        Sample back = d.add(written);
        assertThat(((Map<?, ?>) back.get("dict")).get("small")).isInstanceOf(Double.class);
        assertThat(((Map<?, ?>) back.get("dict")).get("big")).isInstanceOf(Double.class).isEqualTo(1e7);
        assertThat(((List<?>) back.get("list")).get(0)).isInstanceOf(Double.class);
        assertThat(((Detections) back.get("boxes")).detections().get(0).attributes().get("area_px"))
                .isInstanceOf(Double.class);
        assertThat(back).isEqualTo(written);
    }

    /**
     * PostgreSQL's numeric has no negative zero, so {@code -0.0} is taken as {@code 0.0} when a
     * value is given (in fields, lists, dicts, boxes and confidences alike), and what is read back
     * is exactly what the sample holds.
     */
    @Test
    void negativeZeroIsZeroFromTheStartAndComesBackAsHeld() {
        Dataset d = cairn.create("zero");
        Sample written = Sample.of("/a.jpg").with("offset", -0.0).with("xs", List.of(-0.0))
                .with("boxes", Detections.of(new Detection("cat", BoundingBox.of(-0.0, 0, 0.5, 0.5), -0.0, Map.of())));
        assertThat(Double.doubleToRawLongBits((Double) written.get("offset"))).isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(Double.doubleToRawLongBits((Double) ((List<?>) written.get("xs")).get(0)))
                .isEqualTo(Double.doubleToRawLongBits(0.0));
        Sample back = d.add(written);
        assertThat(Double.doubleToRawLongBits((Double) back.get("offset"))).isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(back).isEqualTo(written);
    }
}
