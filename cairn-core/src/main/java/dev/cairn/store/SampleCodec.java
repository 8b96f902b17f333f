package dev.cairn.store;

import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Sample;
import dev.cairn.api.Texts;
import dev.cairn.api.Values;
import dev.cairn.api.Version;
import dev.cairn.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples to rows and back, for one dataset at one working version, checked against its field
 * schema. A field that the schema lacks is added to it with the type of its first value; the
 * caller stores the grown schema in the same transaction.
 */
public final class SampleCodec {

    private final String datasetName;
    private final Map<String, FieldType> schema;
    private final List<Field> added = new ArrayList<>();
    private final Layout layout;

    public SampleCodec(DatasetRecord dataset, Version working) {
        this.datasetName = dataset.name();
        this.schema = new LinkedHashMap<>(dataset.schema());
        this.layout = Layout.at(working);
    }

    public Layout layout() {
        return layout;
    }

    /** The fields the writes so far added to the schema. */
    public List<Field> added() {
        return added;
    }

    /** The schema with the added fields. */
    public List<Field> schema() {
        List<Field> all = new ArrayList<>();
        schema.forEach((k, v) -> all.add(new Field(k, v)));
        return all;
    }

    public List<String> knownFields() {
        return List.copyOf(schema.keySet());
    }

    public SampleRow toRow(Sample s) {
        Map<String, Object> conformed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.fields().entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            FieldType type = schema.get(name);
            if (type == null) {
                if (value == null) {
                    throw new InvalidInputException("field '" + name + "' is new to the dataset " + Texts.quoted(datasetName)
                            + " and its first value is null, so its type is unknown; add the field with its type first");
                }
                type = Values.typeOf(value);
                schema.put(name, type);
                added.add(new Field(name, type));
            }
            conformed.put(name, Values.conform(name, type, value));
        }
        String metadata = s.metadata().map(m -> Json.write(Json.encodeMetadata(m))).orElse(null);
        return new SampleRow(s.id(), s.filepath(), s.tags(), metadata, Json.write(Json.encodeFields(conformed, layout)),
                null, null);
    }

    public Sample fromRow(SampleRow row) {
        try {
            return Sample.restore(row.id(), row.filepath(), row.tags(),
                    row.metadata() == null ? null : Json.decodeMetadata(Json.read(row.metadata())),
                    Json.decodeFields(Json.read(row.fields()), schema, layout), row.createdAt(), row.lastModifiedAt());
        } catch (Json.Mismatch | InvalidInputException e) {
            throw new DamagedDatabaseException("sample " + row.id() + " of the dataset " + Texts.quoted(datasetName)
                    + " does not match its schema: " + e.getMessage() + ". The database was changed outside Cairn");
        }
    }
}
