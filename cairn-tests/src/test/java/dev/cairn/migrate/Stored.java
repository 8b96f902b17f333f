package dev.cairn.migrate;

import dev.cairn.api.CairnConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.cairn.testing.Queries.query;
import static dev.cairn.testing.Queries.strings;
import static dev.cairn.testing.Queries.table;


/**
 * What a database holds, read behind Cairn's back with a superuser connection: the exact bytes
 * (as PostgreSQL prints them) of tables and rows, and the catalog of Cairn's schemas, for tests
 * that must tell whether anything at all changed.
 */
final class Stored {

    /** The columns of {@code cairn.database} that say where the database is and who moved it there. */
    static final Set<String> DATABASE_VERSION_COLUMNS = Set.of("version", "min_client_version", "written_by_release",
            "updated_at", "pinned");
    /** The columns of {@code cairn.datasets} that say where a dataset is. */
    static final Set<String> DATASET_VERSION_COLUMNS = Set.of("version", "min_client_version");

    private static final java.util.concurrent.atomic.AtomicInteger COPIES = new java.util.concurrent.atomic.AtomicInteger();

    private Stored() {
    }

    /** Every row of a dataset's sample table, every column, as PostgreSQL prints it, in id order. */
    static List<String> sampleRows(CairnConfig config, long datasetId) {
        return query(config, c -> strings(c, "SELECT x::text FROM " + table(datasetId) + " x ORDER BY x.id"));
    }

    /** The content columns of the sample rows (no timestamps), in id order. */
    static List<String> sampleContent(CairnConfig config, long datasetId) {
        return query(config, c -> strings(c, "SELECT (x.id, x.filepath, x.tags, x.metadata, x.fields)::text FROM "
                + table(datasetId) + " x ORDER BY x.id"));
    }

    /** The samples' ids and creation times (data model 0.2.0 on), in id order; empty before 0.2.0. */
    static List<String> sampleCreationTimes(CairnConfig config, long datasetId) {
        return query(config, c -> {
            boolean timed = !strings(c, "SELECT 1 FROM pg_attribute WHERE attrelid = '" + table(datasetId)
                    + "'::regclass AND attname = 'created_at' AND NOT attisdropped").isEmpty();
            return timed ? strings(c, "SELECT x.id || ' ' || coalesce(x.created_at::text, '-') FROM " + table(datasetId)
                    + " x ORDER BY x.id") : List.of();
        });
    }

    /** id to the stored {@code fields} JSON of each sample. */
    static Map<String, String> sampleFields(CairnConfig config, long datasetId) {
        return query(config, c -> {
            Map<String, String> out = new TreeMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id::text, fields::text FROM " + table(datasetId))) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    /**
     * A dataset's sample table as the catalog has it: columns with types, defaults and nullability,
     * constraints, indexes, triggers, the functions named after it, its kind, owner and privileges.
     */
    static List<String> sampleTableShape(CairnConfig config, long datasetId) {
        String t = table(datasetId);
        return query(config, c -> {
            List<String> out = new ArrayList<>();
            out.addAll(strings(c, "SELECT 'relation ' || relkind::text || ' ' || relpersistence::text || ' owner '"
                    + " || relowner::regrole || ' acl ' || coalesce(relacl::text, '-') || ' options '"
                    + " || coalesce(reloptions::text, '-') FROM pg_class WHERE oid = '" + t + "'::regclass"));
            out.addAll(columns(c, "'" + t + "'::regclass"));
            out.addAll(strings(c, "SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE conrelid = '" + t + "'::regclass ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = '" + t
                    + "'::regclass ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger"
                    + " WHERE tgrelid = '" + t + "'::regclass AND NOT tgisinternal ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n"
                    + " ON n.oid = p.pronamespace WHERE n.nspname = 'cairn_data' AND p.proname LIKE ? ORDER BY 1",
                    "samples\\_" + datasetId + "\\_%"));
            return out;
        });
    }

    private static List<String> columns(Connection c, String relation) throws SQLException {
        return strings(c, "SELECT 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
                + " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                + " || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + " || CASE WHEN a.attidentity::text <> '' THEN ' identity ' || a.attidentity::text ELSE '' END"
                + " || coalesce(' collate ' || nullif(a.attcollation, 0)::regcollation::text, '')"
                + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = " + relation + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
    }

    /**
     * The catalog of Cairn's schemas ({@code cairn}, {@code cairn_data}): schemas and their
     * privileges, every relation with its kind, owner, privileges and columns, every constraint,
     * index, trigger, view and function.
     */
    static List<String> catalog(CairnConfig config) {
        return query(config, c -> {
            List<String> out = new ArrayList<>();
            out.addAll(strings(c, "SELECT 'schema ' || nspname || ' owner ' || nspowner::regrole || ' acl '"
                    + " || coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname IN ('cairn', 'cairn_data')"
                    + " ORDER BY 1"));
            List<String> relations = strings(c, "SELECT format('%I.%I', n.nspname, r.relname) FROM pg_class r"
                    + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname IN ('cairn', 'cairn_data')"
                    + " ORDER BY 1");
            for (String r : relations) {
                out.addAll(strings(c, "SELECT 'relation ' || ? || ' ' || relkind::text || ' ' || relpersistence::text || ' owner '"
                        + " || relowner::regrole || ' acl ' || coalesce(relacl::text, '-') FROM pg_class"
                        + " WHERE oid = ?::regclass", r, r));
                for (String col : columns(c, "'" + r.replace("'", "''") + "'::regclass")) {
                    out.add("  " + r + " " + col);
                }
            }
            out.addAll(strings(c, "SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '"
                    + " || pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace"
                    + " WHERE n.nspname IN ('cairn', 'cairn_data') ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname IN ('cairn', 'cairn_data')"
                    + " ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text FROM pg_trigger t"
                    + " JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                    + " WHERE n.nspname IN ('cairn', 'cairn_data') AND NOT t.tgisinternal ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'view ' || schemaname || '.' || viewname || ' ' || definition FROM pg_views"
                    + " WHERE schemaname IN ('cairn', 'cairn_data') ORDER BY 1"));
            out.addAll(strings(c, "SELECT 'function ' || pg_get_functiondef(p.oid) || ' acl ' || coalesce(p.proacl::text, '-')"
                    + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE n.nspname IN ('cairn', 'cairn_data') ORDER BY 1"));
            return out;
        });
    }

    /**
     * One row of {@code cairn.datasets}, column by column, as PostgreSQL prints each value, without
     * the columns named.
     */
    static Map<String, String> datasetRow(CairnConfig config, String name, Set<String> without) {
        return query(config, c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM cairn.datasets WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no dataset " + name);
                    }
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        String column = rs.getMetaData().getColumnName(i);
                        if (!without.contains(column)) {
                            out.put(column, rs.getString(i));
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * Every row of every table of Cairn's schemas but the migration history, as PostgreSQL prints
     * it (JSON of the row), sorted; {@code cairn.database} and {@code cairn.datasets} without the
     * columns named.
     */
    static Map<String, List<String>> contents(CairnConfig config, Set<String> databaseWithout,
                                              Set<String> datasetsWithout) {
        return query(config, c -> {
            Map<String, List<String>> out = new TreeMap<>();
            List<String> tables = strings(c, "SELECT format('%I.%I', table_schema, table_name) FROM"
                    + " information_schema.tables WHERE table_schema IN ('cairn', 'cairn_data')"
                    + " AND table_type = 'BASE TABLE' ORDER BY 1");
            for (String t : tables) {
                if (t.equals("cairn.history")) {
                    continue;
                }
                Set<String> without = t.equals("cairn.database") ? databaseWithout
                        : t.equals("cairn.datasets") ? datasetsWithout : Set.of();
                String row = without.isEmpty() ? "to_jsonb(x)" : "to_jsonb(x) - ?::text[]";
                try (PreparedStatement ps = c.prepareStatement("SELECT (" + row + ")::text AS r FROM " + t
                        + " x ORDER BY 1")) {
                    if (!without.isEmpty()) {
                        ps.setArray(1, c.createArrayOf("text", without.toArray()));
                    }
                    List<String> rows = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(rs.getString(1));
                        }
                    }
                    out.put(t, rows);
                }
            }
            return out;
        });
    }

    /** Keeps a copy of a dataset's sample rows outside Cairn's schemas, to compare values with later. */
    static String keepCopy(CairnConfig config, long datasetId) {
        String copy = "cairn_test.\"copy_" + datasetId + "_" + COPIES.incrementAndGet() + "\"";
        query(config, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS cairn_test");
                s.execute("CREATE TABLE " + copy + " AS SELECT * FROM " + table(datasetId));
            }
            return null;
        });
        return copy;
    }

    /**
     * How many rows differ between the copy and the sample table as values (SQL equality: a
     * number 0.5 equals 0.50), both ways, over the columns they share; then drops the copy.
     */
    static long valueDifferences(CairnConfig config, long datasetId, String copy) {
        return query(config, c -> {
            try (Statement s = c.createStatement()) {
                String cols = "id, filepath, tags, metadata, fields";
                try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM (SELECT " + cols + " FROM " + copy
                        + " EXCEPT ALL SELECT " + cols + " FROM " + table(datasetId) + ") a) + (SELECT count(*) FROM"
                        + " (SELECT " + cols + " FROM " + table(datasetId) + " EXCEPT ALL SELECT " + cols + " FROM "
                        + copy + ") b)")) {
                    rs.next();
                    long n = rs.getLong(1);
                    s.execute("DROP TABLE " + copy);
                    return n;
                }
            }
        });
    }
}
