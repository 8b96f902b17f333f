package dev.cairn.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The type of a sample field. Written as text in schemas, exports and the CLI:
 * {@code string}, {@code int}, {@code float}, {@code bool}, {@code datetime}, {@code dict},
 * {@code list} or {@code list<T>} (a list whose elements are all of primitive type T),
 * {@code classification} and {@code detections}.
 */
public final class FieldType {

    /** The kinds of field. */
    public enum Kind {
        STRING, INT, FLOAT, BOOL, DATETIME, LIST, DICT, CLASSIFICATION, DETECTIONS;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether values of this kind are labels. */
        public boolean isLabel() {
            return this == CLASSIFICATION || this == DETECTIONS;
        }

        /** Whether values of this kind are single scalar values that can be compared and sorted. */
        public boolean isScalar() {
            return this == STRING || this == INT || this == FLOAT || this == BOOL || this == DATETIME;
        }
    }

    public static final FieldType STRING = new FieldType(Kind.STRING, null);
    public static final FieldType INT = new FieldType(Kind.INT, null);
    public static final FieldType FLOAT = new FieldType(Kind.FLOAT, null);
    public static final FieldType BOOL = new FieldType(Kind.BOOL, null);
    public static final FieldType DATETIME = new FieldType(Kind.DATETIME, null);
    public static final FieldType LIST = new FieldType(Kind.LIST, null);
    public static final FieldType DICT = new FieldType(Kind.DICT, null);
    public static final FieldType CLASSIFICATION = new FieldType(Kind.CLASSIFICATION, null);
    public static final FieldType DETECTIONS = new FieldType(Kind.DETECTIONS, null);

    private final Kind kind;
    private final Kind element;

    private FieldType(Kind kind, Kind element) {
        this.kind = kind;
        this.element = element;
    }

    /** A list whose elements are all of the given scalar type. */
    public static FieldType listOf(FieldType element) {
        if (!element.kind.isScalar()) {
            throw new InvalidInputException("a typed list holds string, int, float, bool or datetime elements, not "
                    + element);
        }
        return new FieldType(Kind.LIST, element.kind);
    }

    public static FieldType of(Kind kind) {
        return switch (kind) {
            case STRING -> STRING;
            case INT -> INT;
            case FLOAT -> FLOAT;
            case BOOL -> BOOL;
            case DATETIME -> DATETIME;
            case LIST -> LIST;
            case DICT -> DICT;
            case CLASSIFICATION -> CLASSIFICATION;
            case DETECTIONS -> DETECTIONS;
        };
    }

    /** Parses a type's text, such as {@code int} or {@code list<string>}. */
    public static FieldType parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("list<") && t.endsWith(">")) {
            FieldType inner = parseKind(t.substring(5, t.length() - 1).strip(), text);
            return listOf(inner);
        }
        return parseKind(t, text);
    }

    private static FieldType parseKind(String t, String original) {
        for (Kind k : Kind.values()) {
            if (k.text().equals(t)) {
                return of(k);
            }
        }
        throw new InvalidInputException(Texts.quoted(original) + " is not a field type: the types are string, int,"
                + " float, bool, datetime, list, list<TYPE>, dict, classification and detections");
    }

    public Kind kind() {
        return kind;
    }

    /** The element type of a typed list. */
    public Optional<FieldType> element() {
        return element == null ? Optional.empty() : Optional.of(of(element));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldType f && f.kind == kind && f.element == element;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, element);
    }

    @Override
    public String toString() {
        return element == null ? kind.text() : kind.text() + "<" + element.text() + ">";
    }
}
