package dev.cairn.store;

import dev.cairn.api.FieldType;
import dev.cairn.api.Filter;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.Query;
import dev.cairn.api.Texts;
import dev.cairn.api.Values;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Filters, sorts and value paths as SQL over a sample table aliased {@code s}. Every field name
 * and value becomes a bound parameter; the SQL text is built only from this class's constants,
 * and each field's type (from the schema) chooses how its JSON value is compared.
 */
public final class SampleQuerySql {

    /** A piece of SQL and the values bound to its parameters, in order. */
    public record Fragment(String sql, List<Object> params) {
    }

    private final Map<String, FieldType> schema;
    private final String datasetName;

    public SampleQuerySql(Map<String, FieldType> schema, String datasetName) {
        this.schema = schema;
        this.datasetName = datasetName;
    }

    public Fragment where(Filter filter) {
        List<Object> params = new ArrayList<>();
        String sql = predicate(filter, params);
        return new Fragment(sql, params);
    }

    private String predicate(Filter filter, List<Object> p) {
        if (filter instanceof Filter.All) {
            return "true";
        }
        if (filter instanceof Filter.Tag t) {
            p.add(t.tag());
            return "s.tags @> ARRAY[?::text]";
        }
        if (filter instanceof Filter.FilepathPrefix f) {
            p.add(f.prefix());
            return "starts_with(s.filepath, ?)";
        }
        if (filter instanceof Filter.Compare c) {
            FieldType type = scalar(c.field(), "compared");
            String expr = expression(c.field(), type, p);
            p.add(bindable(c.field(), type, c.value()));
            return "coalesce(" + expr + " " + c.op().symbol() + " " + placeholder(type) + ", false)";
        }
        if (filter instanceof Filter.Between b) {
            FieldType type = scalar(b.field(), "compared");
            String expr = expression(b.field(), type, p);
            p.add(bindable(b.field(), type, b.low()));
            p.add(bindable(b.field(), type, b.high()));
            return "coalesce(" + expr + " BETWEEN " + placeholder(type) + " AND " + placeholder(type) + ", false)";
        }
        if (filter instanceof Filter.In in) {
            if (in.values().isEmpty()) {
                return "false";
            }
            FieldType type = scalar(in.field(), "compared");
            String expr = expression(in.field(), type, p);
            StringBuilder sql = new StringBuilder("coalesce(" + expr + " IN (");
            for (int i = 0; i < in.values().size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(placeholder(type));
                p.add(bindable(in.field(), type, in.values().get(i)));
            }
            return sql.append("), false)").toString();
        }
        if (filter instanceof Filter.Exists e) {
            known(e.field());
            p.add(e.field());
            return "coalesce(jsonb_typeof(s.fields -> ?), 'null') <> 'null'";
        }
        if (filter instanceof Filter.Label l) {
            return label(l, p);
        }
        if (filter instanceof Filter.And a) {
            return join(a.filters(), " AND ", "true", p);
        }
        if (filter instanceof Filter.Or o) {
            return join(o.filters(), " OR ", "false", p);
        }
        if (filter instanceof Filter.Not n) {
            return "NOT (" + predicate(n.filter(), p) + ")";
        }
        throw new IllegalArgumentException(filter.toString());
    }

    private String join(List<Filter> filters, String op, String empty, List<Object> p) {
        if (filters.isEmpty()) {
            return empty;
        }
        List<String> parts = new ArrayList<>();
        for (Filter f : filters) {
            parts.add("(" + predicate(f, p) + ")");
        }
        return String.join(op, parts);
    }

    private String label(Filter.Label l, List<Object> p) {
        FieldType type = known(l.field());
        if (type.kind() == FieldType.Kind.CLASSIFICATION) {
            p.add(l.field());
            p.add(l.label());
            String sql = "coalesce(s.fields -> ? ->> 'label' = ?";
            if (l.minConfidence() != null) {
                p.add(l.field());
                p.add(BigDecimal.valueOf(l.minConfidence()));
                sql += " AND (s.fields -> ? ->> 'confidence')::numeric >= ?";
            }
            return sql + ", false)";
        }
        if (type.kind() == FieldType.Kind.DETECTIONS) {
            p.add(l.field());
            p.add(l.field());
            p.add(l.label());
            String sql = "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.fields -> ? -> 'detections')"
                    + " = 'array' THEN s.fields -> ? -> 'detections' ELSE '[]'::jsonb END) d WHERE d ->> 'label' = ?";
            if (l.minConfidence() != null) {
                p.add(BigDecimal.valueOf(l.minConfidence()));
                sql += " AND (d ->> 'confidence')::numeric >= ?";
            }
            return sql + ")";
        }
        throw new InvalidInputException("field '" + l.field() + "' is " + type + ", not a label field: filter it with"
                + " Filter.field(\"" + l.field() + "\")");
    }

    private FieldType known(String field) {
        FieldType type = schema.get(field);
        if (type == null) {
            throw new NotFoundException("the dataset " + Texts.quoted(datasetName) + " has no field '" + field + "'"
                    + (schema.isEmpty() ? "" : "; its fields are " + String.join(", ", schema.keySet())));
        }
        return type;
    }

    private FieldType scalar(String field, String how) {
        FieldType type = known(field);
        if (!type.kind().isScalar()) {
            throw new InvalidInputException("field '" + field + "' is " + type + " and cannot be " + how
                    + (type.kind().isLabel() ? "; use Filter.label(\"" + field + "\", ...) for labels" : "")
                    + "; only string, int, float, bool and datetime fields can");
        }
        return type;
    }

    /** The typed SQL expression of a scalar field; adds the field name parameter. */
    private static String expression(String field, FieldType type, List<Object> p) {
        p.add(field);
        return switch (type.kind()) {
            case STRING -> "((s.fields ->> ?) COLLATE \"C\")";
            case INT, FLOAT -> "(s.fields ->> ?)::numeric";
            case BOOL -> "(s.fields ->> ?)::boolean";
            case DATETIME -> "(s.fields ->> ?)::timestamptz";
            default -> throw new IllegalStateException(type.toString());
        };
    }

    private static String placeholder(FieldType type) {
        return switch (type.kind()) {
            case STRING -> "(?::text COLLATE \"C\")";
            case INT, FLOAT -> "?::numeric";
            case BOOL -> "?::boolean";
            case DATETIME -> "?::timestamptz";
            default -> throw new IllegalStateException(type.toString());
        };
    }

    private static Object bindable(String field, FieldType type, Object value) {
        Object v = Values.conform(field, type.kind() == FieldType.Kind.INT && value instanceof Double
                ? FieldType.FLOAT : type, value);
        return switch (type.kind()) {
            case INT, FLOAT -> v instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal(Double.toString((Double) v));
            case DATETIME -> OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC);
            default -> v;
        };
    }

    /** ORDER BY, LIMIT and OFFSET of a query. */
    public Fragment window(Query q) {
        List<Object> p = new ArrayList<>();
        String dir = q.descending() ? " DESC" : "";
        String order;
        if (q.sortBy() == null || q.sortBy().equals("id")) {
            order = "s.id" + dir;
        } else if (q.sortBy().equals("filepath")) {
            order = "s.filepath COLLATE \"C\"" + dir + ", s.id";
        } else {
            FieldType type = scalar(q.sortBy(), "sorted on");
            order = expression(q.sortBy(), type, p) + dir + " NULLS LAST, s.id";
        }
        StringBuilder sql = new StringBuilder(" ORDER BY ").append(order);
        if (q.limit() >= 0) {
            sql.append(" LIMIT ?");
            p.add(q.limit());
        }
        if (q.skip() > 0) {
            sql.append(" OFFSET ?");
            p.add(q.skip());
        }
        return new Fragment(sql.toString(), p);
    }

    /** How the values of a path are selected, for distinct values and counts. */
    public record ValuePath(String from, String value, List<Object> params, FieldType type) {
    }

    public ValuePath values(String path) {
        if (path.equals("tags")) {
            return new ValuePath("unnest(s.tags) AS v(x)", "v.x", List.of(), FieldType.STRING);
        }
        if (path.equals("filepath")) {
            return new ValuePath(null, "s.filepath", List.of(), FieldType.STRING);
        }
        FieldType type = known(path);
        return switch (type.kind()) {
            case STRING, INT, FLOAT, BOOL, DATETIME -> {
                List<Object> p = new ArrayList<>();
                String expr = expression(path, type, p);
                yield new ValuePath(null, expr, p, type);
            }
            case CLASSIFICATION -> new ValuePath(null, "(s.fields -> ? ->> 'label')", List.of(path), FieldType.STRING);
            case DETECTIONS -> new ValuePath("jsonb_array_elements(CASE WHEN jsonb_typeof(s.fields -> ? -> 'detections') ="
                    + " 'array' THEN s.fields -> ? -> 'detections' ELSE '[]'::jsonb END) AS v(x)", "(v.x ->> 'label')",
                    List.of(path, path), FieldType.STRING);
            case LIST -> {
                FieldType element = type.element().orElse(null);
                String from = "jsonb_array_elements(CASE WHEN jsonb_typeof(s.fields -> ?) = 'array' THEN s.fields -> ?"
                        + " ELSE '[]'::jsonb END) AS v(x)";
                if (element == null) {
                    yield new ValuePath(from, "v.x", List.of(path, path), null);
                }
                String value = switch (element.kind()) {
                    case STRING -> "((v.x #>> '{}') COLLATE \"C\")";
                    case INT, FLOAT -> "(v.x #>> '{}')::numeric";
                    case BOOL -> "(v.x #>> '{}')::boolean";
                    case DATETIME -> "(v.x #>> '{}')::timestamptz";
                    default -> throw new IllegalStateException();
                };
                yield new ValuePath(from, value, List.of(path, path), element);
            }
            case DICT -> throw new InvalidInputException("field '" + path + "' is a dict; distinct values and counts"
                    + " are for scalar, list and label fields");
        };
    }
}
