package dev.cairn.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values a sample field can hold, in their one canonical Java form: {@code String},
 * {@code Long}, {@code Double}, {@code Boolean}, {@code Instant}, an unmodifiable {@code List} or
 * {@code Map<String, Object>} of JSON values, {@link Classification}, {@link Detections}, or
 * {@code null}. Other common forms (an {@code Integer}, an {@code OffsetDateTime}, ...) are
 * turned into these; anything else is refused with a message that names the field.
 */
public final class Values {

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private Values() {
    }

    /** The canonical form of a field's value. */
    public static Object normalize(Object value, String where) {
        if (value == null || value instanceof String s && checkString(s, where) != null) {
            return value;
        }
        if (value instanceof Boolean || value instanceof Classification || value instanceof Detections) {
            return value;
        }
        if (value instanceof Detection d) {
            return new Detections(List.of(d));
        }
        if (value instanceof Number n) {
            return number(n, where);
        }
        if (value instanceof Instant || value instanceof OffsetDateTime || value instanceof ZonedDateTime
                || value instanceof Date) {
            return instant(value, where);
        }
        if (value instanceof java.time.LocalDateTime || value instanceof java.time.LocalDate) {
            throw new InvalidInputException(where + ": a " + value.getClass().getSimpleName() + " has no time zone;"
                    + " give an Instant or an OffsetDateTime so that the moment is unambiguous");
        }
        if (value instanceof Object[] array) {
            return normalize(List.of(array), where);
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            int i = 0;
            for (Object e : c) {
                String at = where + "[" + i++ + "]";
                boolean moment = e instanceof Instant || e instanceof OffsetDateTime || e instanceof ZonedDateTime
                        || e instanceof Date;
                out.add(moment ? instant(e, at) : json(e, at));
            }
            return Collections.unmodifiableList(out);
        }
        if (value instanceof Map<?, ?> m) {
            return jsonObject(m, where);
        }
        throw new InvalidInputException(where + ": values of type " + value.getClass().getName()
                + " cannot be stored; use a string, number, boolean, Instant, list, map or label");
    }

    /** The canonical form of a JSON value: what lists and dicts may hold. */
    public static Object json(Object value, String where) {
        if (value == null || value instanceof Boolean) {
            return value;
        }
        if (value instanceof String s) {
            return checkString(s, where);
        }
        if (value instanceof Number n) {
            return number(n, where);
        }
        if (value instanceof Object[] array) {
            return json(List.of(array), where);
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            int i = 0;
            for (Object e : c) {
                out.add(json(e, where + "[" + i++ + "]"));
            }
            return Collections.unmodifiableList(out);
        }
        if (value instanceof Map<?, ?> m) {
            return jsonObject(m, where);
        }
        throw new InvalidInputException(where + ": a list or dict holds JSON values (strings, numbers, booleans,"
                + " null, lists and dicts), not a " + value.getClass().getSimpleName());
    }

    /** The canonical form of a JSON object with string keys. */
    public static Map<String, Object> jsonObject(Map<?, ?> map, String where) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new InvalidInputException(where + ": dict keys must be strings, not " + e.getKey());
            }
            checkString(key, where + " key");
            out.put(key, json(e.getValue(), where + "." + key));
        }
        return Collections.unmodifiableMap(out);
    }

    private static String checkString(String s, String where) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                throw new InvalidInputException(where + ": the text contains a NUL character, which PostgreSQL"
                        + " cannot store");
            }
            if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                throw new InvalidInputException(where + ": the text is not valid Unicode (a lone surrogate)");
            }
        }
        return s;
    }

    private static Object number(Number n, String where) {
        if (n instanceof Long) {
            return n;
        }
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof BigInteger b) {
            if (b.bitLength() < 64) {
                return b.longValue();
            }
            throw new InvalidInputException(where + ": " + b + " is outside the range of an int field (64 bits)");
        }
        if (n instanceof BigDecimal b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException notIntegral) {
                return finite(b.doubleValue(), where);
            }
        }
        return finite(n.doubleValue(), where);
    }

    private static Double finite(double d, String where) {
        if (!Double.isFinite(d)) {
            throw new InvalidInputException(where + ": " + d + " cannot be stored; numbers must be finite");
        }
        // PostgreSQL's numbers have no negative zero: -0.0 is 0.0 from the start, so it reads back as written
        return d == 0.0 ? 0.0 : d;
    }

    private static Instant instant(Object value, String where) {
        Instant i;
        if (value instanceof OffsetDateTime o) {
            i = o.toInstant();
        } else if (value instanceof ZonedDateTime z) {
            i = z.toInstant();
        } else if (value instanceof Date d) {
            i = d.toInstant();
        } else {
            i = (Instant) value;
        }
        if (i.isBefore(EARLIEST) || i.isAfter(LATEST)) {
            throw new InvalidInputException(where + ": " + i + " is outside the years 1 to 9999");
        }
        return i;
    }

    /** The type a value of canonical form has, for a field that does not exist yet. */
    public static FieldType typeOf(Object canonical) {
        if (canonical instanceof String) {
            return FieldType.STRING;
        }
        if (canonical instanceof Long) {
            return FieldType.INT;
        }
        if (canonical instanceof Double) {
            return FieldType.FLOAT;
        }
        if (canonical instanceof Boolean) {
            return FieldType.BOOL;
        }
        if (canonical instanceof Instant) {
            return FieldType.DATETIME;
        }
        if (canonical instanceof List<?> list) {
            boolean moments = !list.isEmpty() && list.stream().allMatch(e -> e instanceof Instant);
            return moments ? FieldType.listOf(FieldType.DATETIME) : FieldType.LIST;
        }
        if (canonical instanceof Map<?, ?>) {
            return FieldType.DICT;
        }
        if (canonical instanceof Classification) {
            return FieldType.CLASSIFICATION;
        }
        if (canonical instanceof Detections) {
            return FieldType.DETECTIONS;
        }
        throw new IllegalArgumentException("not a canonical value: " + canonical);
    }

    /**
     * The value as a field of the given type holds it ({@code Long} widened to {@code Double} for
     * a float field), or an exception that names the field, its type and the value.
     */
    public static Object conform(String field, FieldType type, Object canonical) {
        if (canonical == null) {
            return null;
        }
        FieldType.Kind kind = type.kind();
        if (kind == FieldType.Kind.FLOAT && canonical instanceof Long l) {
            return l.doubleValue();
        }
        if (kind == FieldType.Kind.LIST && canonical instanceof List<?> list && type.element().isPresent()) {
            FieldType element = type.element().get();
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                Object e = list.get(i);
                if (e == null) {
                    throw new InvalidInputException("field '" + field + "' is " + type + " but element " + i + " is null");
                }
                Object c = element.kind() == FieldType.Kind.DATETIME && e instanceof String s ? parseInstant(s) : e;
                if (c == null || !typeOf(c).equals(element) && !(element.kind() == FieldType.Kind.FLOAT && c instanceof Long)) {
                    throw new InvalidInputException("field '" + field + "' is " + type + " but element " + i + " is "
                            + describe(e));
                }
                out.add(element.kind() == FieldType.Kind.FLOAT && c instanceof Long l ? (Object) l.doubleValue() : c);
            }
            return Collections.unmodifiableList(out);
        }
        if (kind == FieldType.Kind.LIST && canonical instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof Instant) {
                    throw new InvalidInputException("field '" + field + "' is an untyped list, which holds JSON values,"
                            + " but element " + i + " is a datetime; declare the field list<datetime>");
                }
            }
            return canonical;
        }
        FieldType actual = typeOf(canonical);
        if (actual.kind() != kind) {
            throw new InvalidInputException("field '" + field + "' is " + type + " but the value is " + describe(canonical));
        }
        return canonical;
    }

    private static Instant parseInstant(String s) {
        try {
            return Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** A value described for a message: "the string 'abc'", "the number 3.5", "a list". */
    public static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string " + Texts.quoted(s);
        }
        if (v instanceof Long || v instanceof Integer) {
            return "the whole number " + v;
        }
        if (v instanceof Number) {
            return "the number " + v;
        }
        if (v instanceof Boolean) {
            return "the boolean " + v;
        }
        if (v instanceof Instant) {
            return "the datetime " + v;
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Map<?, ?>) {
            return "a dict";
        }
        if (v instanceof Classification) {
            return "a classification";
        }
        if (v instanceof Detections) {
            return "detections";
        }
        return "a " + v.getClass().getSimpleName();
    }
}
