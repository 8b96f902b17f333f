package dev.cairn.migrate;

import dev.cairn.api.BoundingBox;
import dev.cairn.api.Classification;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.Metadata;
import dev.cairn.api.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Random datasets for the property tests: samples with random filepaths, tags and metadata, and
 * fields of every type (labels with random boxes and attributes included), nulls, text from every
 * plane of Unicode, and the floating-point numbers that go wrong most often (0.1,
 * 0.30000000000000004, 1e-7, 4.9e-324, ...).
 *
 * <p>Two kinds of number are left out of untyped JSON (lists, dicts, detection attributes,
 * dataset info), and {@code -0.0} everywhere, because Cairn does not store them faithfully
 * even without any migration (see {@code dev.cairn.ValueFidelityTest}): a double whose value is whole
 * and at least 1e7 comes back as a {@code Long}, and {@code -0.0} comes back as {@code 0.0}.
 * Those are write/read bugs, not revision bugs, and keeping them out lets the round-trip
 * properties speak about revisions only.
 */
final class SampleArbitraries {

    private SampleArbitraries() {
    }

    /** A dataset to write: its field schema, samples, and directory data (info, tags, classes). */
    record DatasetSpec(String nameSuffix, List<Field> schema, List<Sample> samples, Map<String, Object> info,
                       List<String> tags, List<String> classes) {
        @Override
        public String toString() {
            return "DatasetSpec{suffix=" + nameSuffix + ", schema=" + schema + ", info=" + info + ", tags=" + tags
                    + ", classes=" + classes + ", samples=" + samples.size() + ":\n  "
                    + String.join("\n  ", samples.stream().map(Sample::toString).toList()) + "}";
        }
    }

    // ---------------------------------------------------------------- text

    /** Any code point PostgreSQL can store in text and JSON: every plane, controls included, no NUL, no surrogates. */
    static Arbitrary<Integer> codePoint(boolean controls) {
        List<Tuple.Tuple2<Integer, Arbitrary<Integer>>> parts = new ArrayList<>(List.of(
                Tuple.of(12, Arbitraries.integers().between(0x20, 0x7e)),
                Tuple.of(3, Arbitraries.of((int) '\'', (int) '"', (int) '\\', (int) '%', (int) '_', (int) ';', (int) '.',
                        (int) '$', (int) '{', (int) '}', (int) '[', (int) ']', (int) ':', (int) ',', (int) '/')),
                Tuple.of(2, Arbitraries.integers().between(0xa0, 0x24f)),
                Tuple.of(2, Arbitraries.integers().between(0x370, 0x4ff)),
                Tuple.of(1, Arbitraries.integers().between(0x300, 0x36f)),
                Tuple.of(1, Arbitraries.integers().between(0x590, 0x6ff)),
                Tuple.of(2, Arbitraries.integers().between(0x4e00, 0x9fff)),
                Tuple.of(1, Arbitraries.of(0x200b, 0x200d, 0x202e, 0xfeff, 0xfffd, 0xfffe, 0xffff, 0xe000)),
                Tuple.of(2, Arbitraries.integers().between(0x1f300, 0x1faff)),
                Tuple.of(1, Arbitraries.of(0x10000, 0x1d11e, 0x20000, 0x2a6d6, 0xe0001, 0x10ffff))));
        if (controls) {
            parts.add(Tuple.of(1, Arbitraries.of(0x01, 0x07, 0x08, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x85, 0x9f,
                    0x2028, 0x2029)));
        }
        return Arbitraries.frequencyOf(parts.toArray(Tuple.Tuple2[]::new));
    }

    private static Arbitrary<String> codePoints(Arbitrary<Integer> cp, int min, int max) {
        return cp.list().ofMinSize(min).ofMaxSize(max).map(SampleArbitraries::string);
    }

    private static String string(List<Integer> cps) {
        StringBuilder s = new StringBuilder();
        cps.forEach(s::appendCodePoint);
        return s.toString();
    }

    /** Free text: what a string value, a filepath, a label or a dict key may hold. */
    static Arbitrary<String> text(int min, int max) {
        return codePoints(codePoint(true), min, max);
    }

    /** Text by the rules of names (tags, field names): no control characters, no blank at either end. */
    static Arbitrary<String> name(int min, int max) {
        return codePoints(codePoint(false), min, max).filter(SampleArbitraries::isName);
    }

    static boolean isName(String s) {
        if (s.isEmpty()) {
            return true;
        }
        int first = s.codePointAt(0);
        int last = s.codePointBefore(s.length());
        return !Character.isWhitespace(first) && !Character.isSpaceChar(first) && !Character.isWhitespace(last)
                && !Character.isSpaceChar(last);
    }

    // ---------------------------------------------------------------- numbers

    /** Doubles that trip up decimal and binary conversions. */
    static final double[] AWKWARD = {0.0, 0.1, 0.2, 0.3, 0.30000000000000004, 1e-7, 1.0E-5, 1e-300, 4.9E-324,
            2.2250738585072014E-308, 1.0 / 3, 2.0 / 3, 0.9999999999999999, 0.5, 1.0, -1.5, 123.456, 1e6 + 0.5,
            9007199254740993.5e-3, 1.7976931348623157E308, -1.7976931348623157E308, 1e300, 6.02214076e23, 3.14159,
            -2.5e-8, 999999.9999999999};

    /** Any finite double but {@code -0.0}. */
    static Arbitrary<Double> anyDouble() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(box(AWKWARD))),
                Tuple.of(2, Arbitraries.doubles().between(-1e6, 1e6).ofScale(6)),
                Tuple.of(3, Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite)))
                .filter(d -> !isNegativeZero(d));
    }

    /** Doubles for untyped JSON: also without whole values of 1e7 and more, which come back as longs. */
    static Arbitrary<Double> jsonDouble() {
        return anyDouble().filter(d -> !(d == Math.rint(d) && Math.abs(d) >= 1e7));
    }

    /** A fraction of an image, for bounding boxes: 0 to 1, awkward ones first. */
    static Arbitrary<Double> unit() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(0.0, 1.0, 0.1, 0.2, 0.3, 0.30000000000000004, 1e-7, 4.9E-324, 1.0 / 3,
                        2.0 / 3, 0.9999999999999999, 0.5, 0.7, 0.123456789, 1e-300, 0.05)),
                Tuple.of(2, Arbitraries.doubles().between(0, 1).ofScale(3)),
                Tuple.of(3, Arbitraries.doubles().between(0, 1).ofScale(17)),
                Tuple.of(2, Arbitraries.longs().between(0, Double.doubleToLongBits(1.0)).map(Double::longBitsToDouble)));
    }

    private static Double[] box(double[] values) {
        Double[] out = new Double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    static boolean isNegativeZero(double d) {
        return d == 0.0 && Double.doubleToRawLongBits(d) != 0L;
    }

    // ---------------------------------------------------------------- JSON and field values

    static Arbitrary<Object> jsonScalar() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, text(0, 12).map(s -> (Object) s)),
                Tuple.of(2, Arbitraries.longs().map(l -> (Object) l)),
                Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L).map(l -> (Object) l)),
                Tuple.of(3, jsonDouble().map(d -> (Object) d)),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.just((Object) null)));
    }

    /** A JSON value: scalars, and below {@code depth} also lists and objects of JSON values. */
    static Arbitrary<Object> json(int depth) {
        if (depth <= 0) {
            return jsonScalar();
        }
        return Arbitraries.frequencyOf(
                Tuple.of(4, jsonScalar()),
                Tuple.of(1, Arbitraries.lazyOf(() -> json(depth - 1).list().ofMaxSize(4).map(l -> (Object) l))),
                Tuple.of(1, Arbitraries.lazyOf(() -> jsonObject(depth - 1).map(m -> (Object) m))));
    }

    static Arbitrary<Map<String, Object>> jsonObject(int depth) {
        return Arbitraries.maps(text(0, 8), json(depth)).ofMaxSize(4);
    }

    static Arbitrary<Instant> instant() {
        long earliest = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long latest = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        Arbitrary<Long> seconds = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(earliest, latest, 0L, -1L, 951782400L, 1709208000L)),
                Tuple.of(3, Arbitraries.longs().between(earliest, latest)));
        Arbitrary<Integer> nanos = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.of(999_999_999, 1, 1_000, 500_000_000)),
                Tuple.of(2, Arbitraries.integers().between(0, 999_999_999)));
        return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
    }

    static Arbitrary<Classification> classification() {
        return Combinators.combine(text(1, 12), anyDouble().injectNull(0.3)).as(Classification::new);
    }

    static Arbitrary<Detection> detection() {
        return Combinators.combine(text(1, 10), unit(), unit(), unit(), unit(), anyDouble().injectNull(0.3),
                        Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(Map.<String, Object>of())),
                                Tuple.of(1, jsonObject(1))))
                .as((label, x, y, w, h, confidence, attributes) ->
                        new Detection(label, BoundingBox.of(x, y, w, h), confidence, attributes));
    }

    static Arbitrary<Detections> detections() {
        return detection().list().ofMaxSize(4).withSizeDistribution(RandomDistribution.uniform()).map(Detections::new);
    }

    static Arbitrary<FieldType> fieldType() {
        return Arbitraries.of(FieldType.STRING, FieldType.INT, FieldType.FLOAT, FieldType.BOOL, FieldType.DATETIME,
                FieldType.LIST, FieldType.DICT, FieldType.CLASSIFICATION, FieldType.DETECTIONS,
                FieldType.listOf(FieldType.STRING), FieldType.listOf(FieldType.INT), FieldType.listOf(FieldType.FLOAT),
                FieldType.listOf(FieldType.BOOL), FieldType.listOf(FieldType.DATETIME));
    }

    /** A non-null value of a field of the given type, in the canonical form the API reads back. */
    static Arbitrary<Object> value(FieldType type) {
        return switch (type.kind()) {
            case STRING -> text(0, 16).map(s -> s);
            case INT -> Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.longs()),
                    Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L))).map(l -> l);
            case FLOAT -> anyDouble().map(d -> d);
            case BOOL -> Arbitraries.of(true, false).map(b -> b);
            case DATETIME -> instant().map(i -> i);
            case LIST -> type.element().map(e -> value(e).list().ofMaxSize(4).map(l -> (Object) l))
                    .orElseGet(() -> json(1).list().ofMaxSize(4).map(l -> l));
            case DICT -> jsonObject(2).map(m -> m);
            case CLASSIFICATION -> classification().map(c -> c);
            case DETECTIONS -> detections().map(d -> d);
        };
    }

    /** What a sample does with one field: leaves it out, sets it empty (null), or sets a value. */
    static Arbitrary<Optional<Object>> slot(FieldType type) {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(Optional.<Object>empty())),
                Tuple.of(1, Arbitraries.just(Optional.<Object>of(NULL))),
                Tuple.of(5, value(type).map(Optional::of)));
    }

    private static final Object NULL = new Object();

    static Arbitrary<Metadata> metadata() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(0, Integer.MAX_VALUE)),
                Tuple.of(3, Arbitraries.integers().between(0, 100_000)));
        Arbitrary<String> mime = Arbitraries.of("image/jpeg", "image/png", "video/mp4", "application/x-cairn+json",
                "image/svg+xml", "a/b");
        return Combinators.combine(size.injectNull(0.2), size.injectNull(0.2),
                Arbitraries.longs().between(0, Long.MAX_VALUE).injectNull(0.2), mime.injectNull(0.3)).as(Metadata::new);
    }

    static Arbitrary<Sample> sample(List<Field> schema) {
        List<Arbitrary<Optional<Object>>> slots = schema.stream().map(f -> slot(f.type())).toList();
        Arbitrary<List<Optional<Object>>> values = slots.isEmpty() ? Arbitraries.just(List.of())
                : Combinators.combine(slots).as(l -> l);
        return Combinators.combine(text(1, 40), name(1, 10).list().ofMaxSize(3), metadata().injectNull(0.3), values)
                .as((path, tags, metadata, fieldValues) -> {
                    Sample s = Sample.of(path).withTags(tags).withMetadata(metadata);
                    for (int i = 0; i < schema.size(); i++) {
                        Optional<Object> v = fieldValues.get(i);
                        if (v.isPresent()) {
                            s = s.with(schema.get(i).name(), v.get() == NULL ? null : v.get());
                        }
                    }
                    return s;
                });
    }

    /** A field schema: always a detections field (the boxes are what revision 0.4.0 changes), then others. */
    static Arbitrary<List<Field>> schema() {
        Arbitrary<List<FieldType>> more = fieldType().list().ofMaxSize(6).withSizeDistribution(RandomDistribution.uniform());
        Arbitrary<List<String>> names = name(0, 8).filter(s -> !s.contains(".")).list().ofSize(7);
        return Combinators.combine(more, names).as((types, suffixes) -> {
            List<Field> out = new ArrayList<>();
            out.add(new Field("boxes" + suffixes.get(0), FieldType.DETECTIONS));
            for (int i = 0; i < types.size(); i++) {
                out.add(new Field("f" + (i + 1) + suffixes.get(i + 1), types.get(i)));
            }
            return out;
        });
    }

    static Arbitrary<DatasetSpec> dataset(int maxSamples) {
        return schema().flatMap(schema -> Combinators.combine(name(0, 12),
                sample(schema).list().ofMaxSize(maxSamples).withSizeDistribution(RandomDistribution.uniform()),
                jsonObject(1),
                text(1, 8).list().ofMaxSize(3),
                text(1, 8).list().ofMaxSize(3)).as((suffix, samples, info, tags, classes) ->
                new DatasetSpec(suffix, schema, samples, new LinkedHashMap<>(info), tags, classes)));
    }
}
