package dev.cairn.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which samples a query selects. Filters are values: build them with the static methods and
 * combine them with {@link #and}, {@link #or} and {@link #not}.
 *
 * <pre>{@code
 * Filter.tag("validation")
 *       .and(Filter.field("confidence").between(0.5, 0.9))
 *       .and(Filter.label("ground_truth", "cat"))
 * }</pre>
 *
 * Field names and values are always sent to the database as bound values, never as SQL.
 */
public sealed interface Filter {

    /** Comparison operators for {@link Compare}. */
    enum Op {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** Every sample. */
    record All() implements Filter {
    }

    /** Samples that carry the tag. */
    record Tag(String tag) implements Filter {
        public Tag {
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** Samples whose filepath starts with the prefix. */
    record FilepathPrefix(String prefix) implements Filter {
        public FilepathPrefix {
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /** Samples whose field compares to the value as the operator says. */
    record Compare(String field, Op op, Object value) implements Filter {
        public Compare {
            Field.checkName(field);
            Objects.requireNonNull(op, "op");
            value = Values.normalize(value, "the value compared with field '" + field + "'");
            if (value == null) {
                throw new InvalidInputException("compare field '" + field + "' with a value; to find empty fields use"
                        + " Filter.field(\"" + field + "\").isNull()");
            }
        }
    }

    /** Samples whose field lies in {@code [low, high]}, both ends included. */
    record Between(String field, Object low, Object high) implements Filter {
        public Between {
            Field.checkName(field);
            low = Values.normalize(low, "the low end of the range of field '" + field + "'");
            high = Values.normalize(high, "the high end of the range of field '" + field + "'");
            if (low == null || high == null) {
                throw new InvalidInputException("a range of field '" + field + "' needs both ends");
            }
        }
    }

    /** Samples whose field holds one of the values. */
    record In(String field, List<Object> values) implements Filter {
        public In {
            Field.checkName(field);
            List<Object> normalized = new ArrayList<>();
            for (Object v : values) {
                normalized.add(Values.normalize(v, "a value listed for field '" + field + "'"));
            }
            values = List.copyOf(normalized);
        }
    }

    /** Samples whose field is set to something other than null. */
    record Exists(String field) implements Filter {
        public Exists {
            Field.checkName(field);
        }
    }

    /**
     * Samples whose label field (a classification, or any of its detections) has the label,
     * with at least the given confidence if one is given.
     */
    record Label(String field, String label, Double minConfidence) implements Filter {
        public Label {
            Field.checkName(field);
            Objects.requireNonNull(label, "label");
        }
    }

    /** Samples that every filter selects. */
    record And(List<Filter> filters) implements Filter {
        public And {
            filters = List.copyOf(filters);
        }
    }

    /** Samples that any filter selects. */
    record Or(List<Filter> filters) implements Filter {
        public Or {
            filters = List.copyOf(filters);
        }
    }

    /** Samples the filter does not select. */
    record Not(Filter filter) implements Filter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }
    }

    static Filter all() {
        return new All();
    }

    static Filter tag(String tag) {
        return new Tag(tag);
    }

    static Filter filepathStartsWith(String prefix) {
        return new FilepathPrefix(prefix);
    }

    static FieldFilters field(String field) {
        return new FieldFilters(field);
    }

    static Filter label(String field, String label) {
        return new Label(field, label, null);
    }

    static Filter label(String field, String label, double minConfidence) {
        return new Label(field, label, minConfidence);
    }

    default Filter and(Filter other) {
        return new And(List.of(this, other));
    }

    default Filter or(Filter other) {
        return new Or(List.of(this, other));
    }

    static Filter not(Filter filter) {
        return new Not(filter);
    }

    /** The comparisons on one field. */
    final class FieldFilters {
        private final String field;

        private FieldFilters(String field) {
            this.field = Field.checkName(field);
        }

        public Filter eq(Object value) {
            return new Compare(field, Op.EQ, value);
        }

        public Filter ne(Object value) {
            return new Compare(field, Op.NE, value);
        }

        public Filter lt(Object value) {
            return new Compare(field, Op.LT, value);
        }

        public Filter le(Object value) {
            return new Compare(field, Op.LE, value);
        }

        public Filter gt(Object value) {
            return new Compare(field, Op.GT, value);
        }

        public Filter ge(Object value) {
            return new Compare(field, Op.GE, value);
        }

        public Filter between(Object low, Object high) {
            return new Between(field, low, high);
        }

        public Filter in(Object... values) {
            return new In(field, List.of(values));
        }

        public Filter exists() {
            return new Exists(field);
        }

        public Filter isNull() {
            return new Not(new Exists(field));
        }
    }
}
