package dev.cairn.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.Filter;
import dev.cairn.api.Query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Queries as JSON, as saved views keep them. A datetime value is kept as {@code {"datetime": "..."}}. */
public final class QueryJson {

    private QueryJson() {
    }

    public static String write(Query q) {
        ObjectNode o = Json.NODES.objectNode();
        o.set("filter", filter(q.filter()));
        if (q.sortBy() != null) {
            o.put("sort_by", q.sortBy());
        }
        o.put("descending", q.descending());
        o.put("skip", q.skip());
        o.put("limit", q.limit());
        return Json.write(o);
    }

    private static JsonNode filter(Filter f) {
        ObjectNode o = Json.NODES.objectNode();
        if (f instanceof Filter.All) {
            o.put("all", true);
        } else if (f instanceof Filter.Tag t) {
            o.put("tag", t.tag());
        } else if (f instanceof Filter.FilepathPrefix p) {
            o.put("filepath_prefix", p.prefix());
        } else if (f instanceof Filter.Compare c) {
            o.putObject("compare").put("field", c.field()).put("op", c.op().name().toLowerCase(Locale.ROOT))
                    .set("value", value(c.value()));
        } else if (f instanceof Filter.Between b) {
            ObjectNode x = o.putObject("between").put("field", b.field());
            x.set("low", value(b.low()));
            x.set("high", value(b.high()));
        } else if (f instanceof Filter.In in) {
            ArrayNode values = o.putObject("in").put("field", in.field()).putArray("values");
            in.values().forEach(v -> values.add(value(v)));
        } else if (f instanceof Filter.Exists e) {
            o.put("exists", e.field());
        } else if (f instanceof Filter.Label l) {
            ObjectNode x = o.putObject("label").put("field", l.field()).put("label", l.label());
            if (l.minConfidence() != null) {
                x.put("min_confidence", l.minConfidence());
            }
        } else if (f instanceof Filter.And a) {
            ArrayNode all = o.putArray("and");
            a.filters().forEach(x -> all.add(filter(x)));
        } else if (f instanceof Filter.Or a) {
            ArrayNode any = o.putArray("or");
            a.filters().forEach(x -> any.add(filter(x)));
        } else if (f instanceof Filter.Not n) {
            o.set("not", filter(n.filter()));
        }
        return o;
    }

    private static JsonNode value(Object v) {
        if (v instanceof Instant i) {
            return Json.NODES.objectNode().put("datetime", i.toString());
        }
        return Json.encode(v);
    }

    public static Query read(String json) {
        try {
            JsonNode o = Json.read(json);
            Query q = new Query(filter(o.get("filter")), o.hasNonNull("sort_by") ? o.get("sort_by").asText() : null,
                    o.path("descending").asBoolean(false), o.path("skip").asLong(0), o.path("limit").asLong(-1));
            return q;
        } catch (RuntimeException e) {
            throw new DamagedDatabaseException("a saved view holds a query Cairn cannot read (" + e.getMessage()
                    + "): it was changed outside Cairn");
        }
    }

    private static Filter filter(JsonNode o) {
        String kind = o.fieldNames().next();
        JsonNode x = o.get(kind);
        return switch (kind) {
            case "all" -> Filter.all();
            case "tag" -> Filter.tag(x.asText());
            case "filepath_prefix" -> Filter.filepathStartsWith(x.asText());
            case "compare" -> new Filter.Compare(x.get("field").asText(),
                    Filter.Op.valueOf(x.get("op").asText().toUpperCase(Locale.ROOT)), value(x.get("value")));
            case "between" -> new Filter.Between(x.get("field").asText(), value(x.get("low")), value(x.get("high")));
            case "in" -> {
                List<Object> values = new ArrayList<>();
                x.get("values").forEach(v -> values.add(value(v)));
                yield new Filter.In(x.get("field").asText(), values);
            }
            case "exists" -> new Filter.Exists(x.asText());
            case "label" -> new Filter.Label(x.get("field").asText(), x.get("label").asText(),
                    x.hasNonNull("min_confidence") ? x.get("min_confidence").doubleValue() : null);
            case "and" -> new Filter.And(filters(x));
            case "or" -> new Filter.Or(filters(x));
            case "not" -> new Filter.Not(filter(x));
            default -> throw new IllegalArgumentException("unknown filter '" + kind + "'");
        };
    }

    private static List<Filter> filters(JsonNode array) {
        List<Filter> out = new ArrayList<>();
        array.forEach(f -> out.add(filter(f)));
        return out;
    }

    private static Object value(JsonNode v) {
        if (v.isObject() && v.has("datetime")) {
            return Instant.parse(v.get("datetime").asText());
        }
        return Json.plain(v);
    }
}
