package dev.cairn.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.Version;
import dev.cairn.json.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One row of {@code cairn.datasets}: a dataset as stored. */
public record DatasetRecord(long id, String name, Version version, Version minClientVersion, Instant createdAt,
                            Instant lastLoadedAt, long sampleCount, JsonNode info, List<String> tags,
                            List<String> classes, List<Field> fields) {

    /** The dataset's sample table, ready for SQL. */
    public String sampleTable() {
        return SampleTable.name(id);
    }

    public Map<String, FieldType> schema() {
        Map<String, FieldType> m = new LinkedHashMap<>();
        fields.forEach(f -> m.put(f.name(), f.type()));
        return m;
    }

    @SuppressWarnings("unchecked")
    public DatasetInfo toInfo(long count) {
        Object plain = Json.plain(info);
        return new DatasetInfo(name, version, createdAt, lastLoadedAt, count,
                plain instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of(), tags, classes, fields);
    }
}
