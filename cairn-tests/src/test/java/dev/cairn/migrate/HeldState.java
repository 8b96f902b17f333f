package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.CairnConfig;
import dev.cairn.testing.Backend;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.cairn.testing.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a database holds between two runs of a fault test, read behind Cairn's back: the
 * database's version record, its datasets' records, and what stands in the data schema.
 */
record HeldState(String database, String minClient, String pending, boolean pendingLive, boolean pinned,
                     boolean savedViews, Map<Long, DatasetRow> datasets, Set<String> dataTables,
                     Set<String> dataFunctions) {

    record DatasetRow(long id, String name, String version, String minClient, long sampleCount,
                      Set<String> detectionFields) {
    }

    static HeldState read(CairnConfig config) throws SQLException {
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            String database;
            String minClient;
            String pending;
            boolean live;
            boolean pinned;
            try (ResultSet rs = s.executeQuery("SELECT version, min_client_version, migration_target,"
                    + " migration_pid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_stat_activity a"
                    + "   WHERE a.pid = d.migration_pid AND a.backend_start = d.migration_backend_start),"
                    + " pinned, (SELECT count(*) FROM cairn.database) FROM cairn.database d")) {
                assertThat(rs.next()).as("the database's version record is there").isTrue();
                assertThat(rs.getLong(6)).as("one version record").isEqualTo(1);
                database = rs.getString(1);
                minClient = rs.getString(2);
                pending = rs.getString(3);
                live = rs.getBoolean(4);
                pinned = rs.getBoolean(5);
            }
            boolean views;
            try (ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_class t JOIN pg_namespace n ON"
                    + " n.oid = t.relnamespace WHERE n.nspname = 'cairn' AND t.relname = 'saved_views')")) {
                rs.next();
                views = rs.getBoolean(1);
            }
            Map<Long, DatasetRow> datasets = new TreeMap<>();
            try (ResultSet rs = s.executeQuery("SELECT id, name, version, min_client_version, sample_count,"
                    + " fields::text FROM cairn.datasets ORDER BY id")) {
                while (rs.next()) {
                    Set<String> detections = new TreeSet<>();
                    for (JsonNode f : parse(rs.getString(6))) {
                        if (f.path("type").asText().startsWith("detections")) {
                            detections.add(f.path("name").asText());
                        }
                    }
                    datasets.put(rs.getLong(1), new DatasetRow(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5), detections));
                }
            }
            Set<String> tables = new TreeSet<>();
            try (ResultSet rs = s.executeQuery("SELECT t.relname || ':' || t.relkind::text FROM pg_class t"
                    + " JOIN pg_namespace n ON n.oid = t.relnamespace"
                    + " WHERE n.nspname = 'cairn_data' AND t.relkind IN ('r', 'p', 'v', 'm')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            Set<String> functions = new TreeSet<>();
            try (ResultSet rs = s.executeQuery("SELECT p.proname FROM pg_proc p JOIN pg_namespace n"
                    + " ON n.oid = p.pronamespace WHERE n.nspname = 'cairn_data'")) {
                while (rs.next()) {
                    functions.add(rs.getString(1));
                }
            }
            return new HeldState(database, minClient, pending, live, pinned, views, datasets, tables, functions);
        }
    }

    /** How many steps a migration to {@code target} has left: the database's and each dataset's not there. */
    int stepsLeft(String target) {
        return (database.equals(target) ? 0 : 1)
                + (int) datasets.values().stream().filter(d -> !d.version.equals(target)).count();
    }

    /** The share of the work left to reach {@code target}: each dataset counts as its samples and 300 more. */
    double fractionLeft(String target) {
        double total = 0;
        double left = 0;
        for (DatasetRow d : datasets.values()) {
            double weight = d.sampleCount + 300;
            total += weight;
            left += d.version.equals(target) ? 0 : weight;
        }
        return total == 0 ? 1 : left / total;
    }
}
