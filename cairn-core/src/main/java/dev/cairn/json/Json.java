package dev.cairn.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.Classification;
import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.Metadata;
import dev.cairn.store.Layout;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sample values to and from their JSON form, which is both how they are stored (JSONB) and how
 * they are exported. The form is the documented native format: a classification is
 * {@code {"label": ..., "confidence": ...}}, detections are
 * {@code {"detections": [{"label", "bounding_box": [x, y, w, h], "confidence", "attributes"}]}},
 * a datetime is an ISO-8601 string in UTC.
 */
public final class Json {

    /**
     * Reads fractions as exact decimals: stored box corners are sums of decimals, and turning them
     * back into widths must give back the very numbers that were written.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DamagedDatabaseException("the database holds JSON that does not parse: " + e.getOriginalMessage());
        }
    }

    /** A field value (canonical and conformed to its type) as JSON. */
    public static JsonNode encode(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double d) {
            return fraction(d);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Instant i) {
            return NODES.textNode(i.toString());
        }
        if (value instanceof List<?> list) {
            ArrayNode a = NODES.arrayNode(list.size());
            for (Object e : list) {
                a.add(encode(e));
            }
            return a;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode o = NODES.objectNode();
            map.forEach((k, v) -> o.set((String) k, encode(v)));
            return o;
        }
        if (value instanceof Classification c) {
            ObjectNode o = NODES.objectNode();
            o.put("label", c.label());
            if (c.confidence() != null) {
                o.set("confidence", fraction(c.confidence()));
            }
            return o;
        }
        if (value instanceof Detections ds) {
            ArrayNode list = NODES.arrayNode();
            for (Detection d : ds.detections()) {
                ObjectNode o = list.addObject();
                o.put("label", d.label());
                BoundingBox b = d.boundingBox();
                o.putArray("bounding_box").add(decimal(b.x())).add(decimal(b.y())).add(decimal(b.width()))
                        .add(decimal(b.height()));
                if (d.confidence() != null) {
                    o.set("confidence", fraction(d.confidence()));
                }
                if (!d.attributes().isEmpty()) {
                    o.set("attributes", encode(d.attributes()));
                }
            }
            ObjectNode o = NODES.objectNode();
            o.set("detections", list);
            return o;
        }
        throw new IllegalArgumentException("not a canonical value: " + value.getClass());
    }

    /** The fields of a sample as one JSON object, as exported. */
    public static ObjectNode encodeFields(Map<String, Object> fields) {
        ObjectNode o = NODES.objectNode();
        fields.forEach((k, v) -> o.set(k, encode(v)));
        return o;
    }

    /** The fields of a sample as one JSON object, as stored at a layout. */
    public static ObjectNode encodeFields(Map<String, Object> fields, Layout layout) {
        ObjectNode o = NODES.objectNode();
        fields.forEach((k, v) -> o.set(k, v instanceof Detections d && layout.boxCorners() ? corners(d) : encode(v)));
        return o;
    }

    /** Detections with boxes as corners {@code [x1, y1, x2, y2]}, summed as exact decimals. */
    private static JsonNode corners(Detections ds) {
        ObjectNode o = (ObjectNode) encode(ds);
        for (JsonNode d : o.get("detections")) {
            ArrayNode box = (ArrayNode) d.get("bounding_box");
            java.math.BigDecimal x = box.get(0).decimalValue();
            java.math.BigDecimal y = box.get(1).decimalValue();
            box.set(2, NODES.numberNode(minimal(x.add(box.get(2).decimalValue()))));
            box.set(3, NODES.numberNode(minimal(y.add(box.get(3).decimalValue()))));
        }
        return o;
    }

    /**
     * A box coordinate as its shortest exact decimal, without trailing zeros: the form that
     * revision 0.4.0's sums and differences (in SQL, {@code trim_scale}) keep, so that going to
     * corners and back gives the very same stored text.
     */
    private static java.math.BigDecimal decimal(double d) {
        return minimal(new java.math.BigDecimal(Double.toString(d)));
    }

    private static java.math.BigDecimal minimal(java.math.BigDecimal b) {
        java.math.BigDecimal stripped = b.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /**
     * A floating-point number written with a fraction part, so that PostgreSQL keeps it a fraction:
     * {@code 1.0E7} would be stored as the integer {@code 10000000} and read back as a whole number.
     */
    private static JsonNode fraction(double d) {
        java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(d));
        return NODES.numberNode(b.scale() < 1 ? b.setScale(1) : b);
    }

    public static JsonNode encodeMetadata(Metadata m) {
        if (m == null) {
            return NODES.nullNode();
        }
        ObjectNode o = NODES.objectNode();
        if (m.width() != null) {
            o.put("width", m.width());
        }
        if (m.height() != null) {
            o.put("height", m.height());
        }
        if (m.sizeBytes() != null) {
            o.put("size_bytes", m.sizeBytes());
        }
        if (m.mimeType() != null) {
            o.put("mime_type", m.mimeType());
        }
        return o;
    }

    /** Thrown when JSON does not hold what its type says; the caller adds where it was. */
    public static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

    public static Metadata decodeMetadata(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (!n.isObject()) {
            throw new Mismatch("metadata must be an object with width, height, size_bytes and mime_type");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("width", "height", "size_bytes", "mime_type").contains(k)) {
                throw new Mismatch("metadata has an unknown key '" + k + "'; the keys are width, height, size_bytes"
                        + " and mime_type");
            }
        }
        return new Metadata(intOrNull(n.get("width"), "metadata width"), intOrNull(n.get("height"), "metadata height"),
                longOrNull(n.get("size_bytes"), "metadata size_bytes"), textOrNull(n.get("mime_type"), "metadata mime_type"));
    }

    private static Integer intOrNull(JsonNode n, String what) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new Mismatch(what + " must be a whole number, not " + n);
        }
        return n.intValue();
    }

    private static Long longOrNull(JsonNode n, String what) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new Mismatch(what + " must be a whole number, not " + n);
        }
        return n.longValue();
    }

    private static String textOrNull(JsonNode n, String what) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new Mismatch(what + " must be a string, not " + n);
        }
        return n.textValue();
    }

    /**
     * The fields of a stored or imported sample, typed by the schema. Keys that the schema does
     * not name are left out: a newer client may have written fields this one does not know.
     */
    public static Map<String, Object> decodeFields(JsonNode fields, Map<String, FieldType> schema) {
        return decodeFields(fields, schema, null);
    }

    /** The fields of a stored sample, as the layout it was written at has them. */
    public static Map<String, Object> decodeFields(JsonNode fields, Map<String, FieldType> schema, Layout layout) {
        if (fields == null || fields.isNull()) {
            return Map.of();
        }
        if (!fields.isObject()) {
            throw new Mismatch("fields must be a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            FieldType type = schema.get(e.getKey());
            if (type == null) {
                continue;
            }
            JsonNode value = e.getValue();
            if (layout != null && layout.boxCorners() && type.kind() == FieldType.Kind.DETECTIONS) {
                value = fromCorners(value);
            }
            out.put(e.getKey(), decode(value, type, e.getKey()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** One value of a field of the given type. */
    public static Object decode(JsonNode n, FieldType type, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        switch (type.kind()) {
            case STRING -> {
                return text(n, field, type);
            }
            case INT -> {
                if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                    throw mismatch(field, type, n);
                }
                return n.longValue();
            }
            case FLOAT -> {
                if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                    throw mismatch(field, type, n);
                }
                return n.doubleValue();
            }
            case BOOL -> {
                if (!n.isBoolean()) {
                    throw mismatch(field, type, n);
                }
                return n.booleanValue();
            }
            case DATETIME -> {
                return instant(n, field, type);
            }
            case LIST -> {
                if (!n.isArray()) {
                    throw mismatch(field, type, n);
                }
                List<Object> out = new ArrayList<>(n.size());
                FieldType element = type.element().orElse(null);
                for (JsonNode e : n) {
                    if (element == null) {
                        out.add(plain(e));
                    } else if (e.isNull()) {
                        throw new Mismatch("field '" + field + "' is " + type + " but holds a null element");
                    } else {
                        out.add(decode(e, element, field));
                    }
                }
                return Collections.unmodifiableList(out);
            }
            case DICT -> {
                if (!n.isObject()) {
                    throw mismatch(field, type, n);
                }
                return plain(n);
            }
            case CLASSIFICATION -> {
                return classification(n, field);
            }
            case DETECTIONS -> {
                return detections(n, field);
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    /** Stored corners {@code [x1, y1, x2, y2]} back to {@code [x, y, w, h]}, in exact decimals. */
    private static JsonNode fromCorners(JsonNode n) {
        if (!n.isObject() || !n.path("detections").isArray()) {
            return n;
        }
        ObjectNode copy = n.deepCopy();
        for (JsonNode d : copy.get("detections")) {
            JsonNode box = d.path("bounding_box");
            if (box.isArray() && box.size() == 4 && allNumbers(box)) {
                ArrayNode b = (ArrayNode) box;
                b.set(2, NODES.numberNode(minimal(b.get(2).decimalValue().subtract(b.get(0).decimalValue()))));
                b.set(3, NODES.numberNode(minimal(b.get(3).decimalValue().subtract(b.get(1).decimalValue()))));
            }
        }
        return copy;
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode e : array) {
            if (!e.isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static String text(JsonNode n, String field, FieldType type) {
        if (!n.isTextual()) {
            throw mismatch(field, type, n);
        }
        return n.textValue();
    }

    private static Instant instant(JsonNode n, String field, FieldType type) {
        if (!n.isTextual()) {
            throw mismatch(field, type, n);
        }
        try {
            return Instant.parse(n.textValue());
        } catch (DateTimeParseException e) {
            throw new Mismatch("field '" + field + "' is " + type + " but holds " + n
                    + ", which is not an ISO-8601 time in UTC such as 2024-05-01T12:00:00Z");
        }
    }

    private static Classification classification(JsonNode n, String field) {
        if (!n.isObject() || !n.path("label").isTextual()) {
            throw new Mismatch("field '" + field + "' is a classification, which is {\"label\": ..., \"confidence\": ...},"
                    + " not " + abbreviate(n));
        }
        checkKeys(n, field, "classification", "label", "confidence");
        return new Classification(n.get("label").textValue(), confidence(n.get("confidence"), field));
    }

    private static Detections detections(JsonNode n, String field) {
        if (!n.isObject() || !n.path("detections").isArray()) {
            throw new Mismatch("field '" + field + "' is detections, which is {\"detections\": [...]}, not " + abbreviate(n));
        }
        checkKeys(n, field, "detections", "detections");
        List<Detection> list = new ArrayList<>();
        for (JsonNode d : n.get("detections")) {
            if (!d.isObject() || !d.path("label").isTextual()) {
                throw new Mismatch("field '" + field + "' holds a detection without a label: " + abbreviate(d));
            }
            checkKeys(d, field, "detection", "label", "bounding_box", "confidence", "attributes");
            JsonNode box = d.get("bounding_box");
            if (box == null || !box.isArray() || box.size() != 4) {
                throw new Mismatch("field '" + field + "' holds a detection whose bounding_box is not [x, y, w, h]: "
                        + abbreviate(d));
            }
            for (JsonNode c : box) {
                if (!c.isNumber()) {
                    throw new Mismatch("field '" + field + "' holds a bounding box with a non-number: " + box);
                }
            }
            JsonNode attributes = d.get("attributes");
            if (attributes != null && !attributes.isNull() && !attributes.isObject()) {
                throw new Mismatch("field '" + field + "' holds a detection whose attributes are not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> attrs = attributes == null || attributes.isNull() ? Map.of()
                    : (Map<String, Object>) plain(attributes);
            list.add(new Detection(d.get("label").textValue(),
                    new BoundingBox(box.get(0).doubleValue(), box.get(1).doubleValue(), box.get(2).doubleValue(),
                            box.get(3).doubleValue()),
                    confidence(d.get("confidence"), field), attrs));
        }
        return new Detections(list);
    }

    private static void checkKeys(JsonNode n, String field, String what, String... allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of(allowed).contains(k)) {
                throw new Mismatch("field '" + field + "' holds a " + what + " with an unknown key '" + k + "'; its keys are "
                        + String.join(", ", allowed));
            }
        }
    }

    private static Double confidence(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new Mismatch("field '" + field + "' holds a confidence that is not a number: " + n);
        }
        return n.doubleValue();
    }

    /** A JSON value as plain Java: Long or Double numbers, strings, booleans, lists, maps, null. */
    public static Object plain(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            n.forEach(e -> out.add(plain(e)));
            return Collections.unmodifiableList(out);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
        return Collections.unmodifiableMap(out);
    }

    private static Mismatch mismatch(String field, FieldType type, JsonNode n) {
        return new Mismatch("field '" + field + "' is " + type + " but holds " + abbreviate(n));
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** The schema as JSON: {@code [{"name": ..., "type": ...}, ...]}. */
    public static ArrayNode encodeSchema(List<Field> fields) {
        ArrayNode a = NODES.arrayNode();
        for (Field f : fields) {
            a.addObject().put("name", f.name()).put("type", f.type().toString());
        }
        return a;
    }

    /**
     * A schema from JSON. A stored schema may have fields of a type this client does not know
     * (written by a newer one): those are left out, as the rest of their data is. Elsewhere
     * (an import file) an unknown type is an error.
     */
    public static List<Field> decodeSchema(JsonNode n, boolean stored) {
        if (n == null || !n.isArray()) {
            throw new Mismatch("a field schema is a list of {\"name\": ..., \"type\": ...}");
        }
        List<Field> out = new ArrayList<>();
        for (JsonNode f : n) {
            if (!f.path("name").isTextual() || !f.path("type").isTextual()) {
                throw new Mismatch("a field schema entry needs a name and a type: " + abbreviate(f));
            }
            FieldType type;
            try {
                type = FieldType.parse(f.get("type").textValue());
            } catch (dev.cairn.api.InvalidInputException unknownType) {
                if (stored) {
                    continue;
                }
                throw new Mismatch(unknownType.getMessage());
            }
            String name = f.get("name").textValue();
            if (out.stream().anyMatch(x -> x.name().equals(name))) {
                throw new Mismatch("the field schema names field '" + name + "' twice");
            }
            try {
                out.add(new Field(name, type));
            } catch (dev.cairn.api.InvalidInputException badName) {
                throw new Mismatch(badName.getMessage());
            }
        }
        return out;
    }
}
