package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.CairnConfig;
import dev.cairn.migrate.HeldState.DatasetRow;
import dev.cairn.testing.Backend;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.cairn.migrate.FaultRun.V1;
import static dev.cairn.migrate.FaultRun.V4;
import static dev.cairn.testing.Json.parse;
import static dev.cairn.testing.Queries.table;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * The known-good copies of a fault test's datasets, computed independently of Cairn from the
 * datasets as 0.1.0 wrote them, and the check that the database holds them: each dataset whole
 * at its old or new version, its content, table layout and records those of that version.
 */
final class KnownGood {

    private final CairnConfig config;
    private final FaultStats stats;
    /** The known-good content of each dataset (by id) at each version it may be found at. */
    private final Map<Long, Map<String, Content>> expected = new TreeMap<>();
    /** The known-good shape of each dataset's sample table at each version. */
    private final Map<String, Map<Long, String>> shapes = new TreeMap<>();
    /** The oldest client version each version records, for the database and for a dataset. */
    private final Map<String, String> databaseMinClient = new TreeMap<>();
    private final Map<String, String> datasetMinClient = new TreeMap<>();
    private final Map<Long, String> names = new TreeMap<>();
    /** The stored text of content found equal, value for value, to a known-good copy, by "id version". */
    private final Map<String, Set<String>> goodRaw = new TreeMap<>();

    KnownGood(CairnConfig config, FaultStats stats) {
        this.config = config;
        this.stats = stats;
    }

    int datasets() {
        return names.size();
    }

    String name(long datasetId) {
        return names.get(datasetId);
    }

    /** What a dataset's samples are, value for value: a digest in a canonical form, and how many. */
    private record Content(long samples, String digest) {
    }

    /** Records the known-good copies of the datasets as {@code start} holds them, all at 0.1.0. */
    void record(HeldState start) throws SQLException {
        try (Connection c = Backend.raw(config)) {
            for (DatasetRow d : start.datasets().values()) {
                names.put(d.id(), d.name());
                Map<String, Content> byVersion = new TreeMap<>();
                byVersion.put(V1, content(c, d, false));
                goodRaw.computeIfAbsent(d.id() + " " + V1, k -> new TreeSet<>()).add(rawContent(c, d.id(), false).digest());
                // 0.4.0's copy is computed here, independently of Cairn: boxes [x, y, w, h] become
                // corners [x, y, x + w, y + h] in exact decimals; nothing else changes
                byVersion.put(V4, content(c, d, true));
                expected.put(d.id(), byVersion);
                shapes.computeIfAbsent(V1, k -> new TreeMap<>()).put(d.id(), shape(c, d.id()));
            }
        }
        databaseMinClient.put(V1, start.minClient());
        start.datasets().values().forEach(d -> datasetMinClient.put(V1, d.minClient()));
    }

    /** Invariants 1, 3 and 4, as the database holds them now. */
    void assertWhole(HeldState s, String what) throws SQLException {
        assertThat(s.database()).as("%s: the database is at its old or its new version", what).isIn(V1, V4);
        assertThat(s.minClient()).as("%s: the database records the oldest client of its version", what)
                .isEqualTo(databaseMinClient.getOrDefault(s.database(), s.minClient()));
        databaseMinClient.putIfAbsent(s.database(), s.minClient());
        assertThat(s.savedViews()).as("%s: the saved views table exists exactly when the database is at 0.3.0 or"
                + " above (it is at %s)", what, s.database()).isEqualTo(s.database().equals(V4));
        assertThat(s.pendingLive()).as("%s: no migration is under way once its migrator is dead", what).isFalse();
        assertThat(s.datasets().keySet()).as("%s: no dataset lost or added", what).isEqualTo(expected.keySet());
        Set<String> tables = new TreeSet<>();
        s.datasets().keySet().forEach(id -> tables.add("samples_" + id + ":r"));
        assertThat(s.dataTables()).as("%s: the sample tables are the datasets', nothing half-built beside them", what)
                .isEqualTo(tables);
        Set<String> functions = new TreeSet<>();
        s.datasets().values().stream().filter(d -> d.version().equals(V4))
                .forEach(d -> functions.add("samples_" + d.id() + "_touch"));
        assertThat(s.dataFunctions()).as("%s: the trigger functions of 0.2.0 are there for the datasets at 0.4.0, and"
                + " only for them", what).isEqualTo(functions);
        try (Connection c = Backend.raw(config)) {
            for (DatasetRow d : s.datasets().values()) {
                String label = what + ": dataset " + d.name() + " (at " + d.version() + ")";
                assertThat(d.name()).as(label).isEqualTo(names.get(d.id()));
                assertThat(d.version()).as("%s: a dataset step is one transaction: old or new version, never between",
                        label).isIn(V1, V4);
                assertThat(!d.version().equals(V1) && s.database().equals(V1))
                        .as("%s: a dataset is never ahead of its database (at %s)", label, s.database()).isFalse();
                assertThat(d.minClient()).as(label).isEqualTo(datasetMinClient.getOrDefault(d.version(), d.minClient()));
                datasetMinClient.putIfAbsent(d.version(), d.minClient());
                Map<Long, String> knownShapes = shapes.computeIfAbsent(d.version(), k -> new TreeMap<>());
                String shape = shape(c, d.id());
                if (knownShapes.containsKey(d.id())) {
                    assertThat(shape).as("%s: the sample table is laid out as its version has it", label)
                            .isEqualTo(knownShapes.get(d.id()));
                } else {
                    knownShapes.put(d.id(), shape);
                }
                Content want = expected.get(d.id()).get(d.version());
                Raw raw = rawContent(c, d.id(), d.version().equals(V4));
                stats.samplesChecked += raw.samples();
                stats.lostOrDoubled += Math.abs(raw.samples() - want.samples);
                assertThat(raw.samples()).as("%s: no sample lost or doubled", label).isEqualTo(want.samples);
                assertThat(d.sampleCount()).as("%s: the recorded sample count", label).isEqualTo(want.samples);
                assertThat(raw.dated()).as("%s: samples stored before 0.2.0 have no known creation time", label)
                        .isZero();
                // the stored text, digested in SQL, is compared value for value only when it is new
                Set<String> good = goodRaw.computeIfAbsent(d.id() + " " + d.version(), k -> new TreeSet<>());
                if (!good.contains(raw.digest())) {
                    Content have = content(c, d, false);
                    assertThat(have.samples).as("%s: no sample lost or doubled", label).isEqualTo(want.samples);
                    assertThat(have.digest).as("%s: its content is the known-good copy of its version", label)
                            .isEqualTo(want.digest);
                    good.add(raw.digest());
                }
            }
        }
    }

    /** How many stored text forms, over all datasets, were found at a version beyond one each. */
    String rawForms(String version) {
        int datasets = 0;
        int forms = 0;
        for (Map.Entry<String, Set<String>> e : goodRaw.entrySet()) {
            if (e.getKey().endsWith(" " + version)) {
                datasets++;
                forms += e.getValue().size();
            }
        }
        return forms + " for " + datasets + " datasets";
    }

    /**
     * The content of a dataset's sample table as it is ({@code asCorners} false) or as 0.4.0 must
     * have it ({@code asCorners} true, from a table at 0.1.0): every row by id, JSON in a canonical
     * form where numbers are compared by value (0.50 is 0.5).
     */
    private static Content content(Connection c, DatasetRow d, boolean asCorners) throws SQLException {
        MessageDigest digest = sha256();
        long n = 0;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(2000);
            try (ResultSet rs = s.executeQuery("SELECT id::text, filepath, tags::text, metadata::text, fields::text"
                    + " FROM " + table(d.id()) + " ORDER BY id")) {
                while (rs.next()) {
                    JsonNode fields = parse(rs.getString(5));
                    if (asCorners) {
                        fields = toCorners(fields, d.detectionFields());
                    }
                    StringBuilder row = new StringBuilder(512);
                    row.append(rs.getString(1)).append('\u0001').append(rs.getString(2)).append('\u0001')
                            .append(rs.getString(3)).append('\u0001');
                    canonical(rs.getString(4) == null ? null : parse(rs.getString(4)), row);
                    row.append('\u0001');
                    canonical(fields, row);
                    row.append('\n');
                    digest.update(row.toString().getBytes(StandardCharsets.UTF_8));
                    n++;
                }
            }
        }
        return new Content(n, HexFormat.of().formatHex(digest.digest()));
    }

    /** A sample table's stored text, digested by the database; {@code dated}: samples with a creation time. */
    private record Raw(long samples, String digest, long dated) {
    }

    /** Fast, but by the letter: 0.50 is not 0.5 here. {@code timestamps}: the table has 0.2.0's columns. */
    private static Raw rawContent(Connection c, long id, boolean timestamps) throws SQLException {
        String row = "id::text || E'\\x01' || filepath || E'\\x01' || tags::text || E'\\x01'"
                + " || coalesce(metadata::text, 'null') || E'\\x01' || fields::text";
        String sql = "SELECT count(*), md5(coalesce(string_agg(" + row + ", E'\\n' ORDER BY id), '')), "
                + (timestamps ? "count(created_at)" : "0") + " FROM " + table(id);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return new Raw(rs.getLong(1), rs.getString(2), rs.getLong(3));
        }
    }

    private static JsonNode toCorners(JsonNode fields, Set<String> detectionFields) {
        ObjectNode copy = fields.deepCopy();
        for (String f : detectionFields) {
            JsonNode list = copy.path(f).path("detections");
            for (JsonNode d : list) {
                JsonNode box = d.get("bounding_box");
                if (box != null && box.isArray() && box.size() == 4) {
                    BigDecimal x = box.get(0).decimalValue();
                    BigDecimal y = box.get(1).decimalValue();
                    ArrayNode corners = ((ObjectNode) d).putArray("bounding_box");
                    corners.add(x).add(y).add(x.add(box.get(2).decimalValue())).add(y.add(box.get(3).decimalValue()));
                }
            }
        }
        return copy;
    }

    private static void canonical(JsonNode n, StringBuilder out) {
        if (n == null || n.isNull()) {
            out.append("null");
        } else if (n.isObject()) {
            out.append('{');
            TreeSet<String> keys = new TreeSet<>();
            n.fieldNames().forEachRemaining(keys::add);
            boolean first = true;
            for (String k : keys) {
                out.append(first ? "" : ",").append(JsonNodeFactory.instance.textNode(k)).append(':');
                canonical(n.get(k), out);
                first = false;
            }
            out.append('}');
        } else if (n.isArray()) {
            out.append('[');
            for (int i = 0; i < n.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(n.get(i), out);
            }
            out.append(']');
        } else if (n.isNumber()) {
            out.append(n.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            out.append(n);
        }
    }

    /** The columns, trigger and function of a sample table: what its version's revisions made. */
    private static String shape(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT"
                + " (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
                + "   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                + "   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)"
                + "  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + "  WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped),"
                + " (SELECT string_agg(g.tgname || ' ' || g.tgfoid::regproc::text, ', ' ORDER BY g.tgname)"
                + "  FROM pg_trigger g WHERE g.tgrelid = t.oid AND NOT g.tgisinternal),"
                + " (SELECT string_agg(i.indexrelid::regclass::text, ', ') FROM pg_index i WHERE i.indrelid = t.oid)"
                + " FROM pg_class t WHERE t.oid = ?::regclass")) {
            ps.setString(1, table(id));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the sample table of dataset %d exists", id).isTrue();
                return "columns: " + rs.getString(1) + "; triggers: " + rs.getString(2) + "; indexes: "
                        + rs.getString(3);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
