package dev.cairn.api;

import java.util.List;
import java.util.Objects;

/**
 * A sample as its table row holds it, for revisions that change samples in Java: the JSON
 * columns are kept as text, in the layout of the version being migrated from.
 *
 * @param metadata JSON text, or {@code null}
 * @param fields   JSON text of an object
 */
public record StoredSample(String id, String filepath, List<String> tags, String metadata, String fields) {

    public StoredSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(filepath, "filepath");
        tags = List.copyOf(tags);
        Objects.requireNonNull(fields, "fields");
    }

    public StoredSample withFilepath(String filepath) {
        return new StoredSample(id, filepath, tags, metadata, fields);
    }

    public StoredSample withTags(List<String> tags) {
        return new StoredSample(id, filepath, tags, metadata, fields);
    }

    public StoredSample withMetadata(String metadata) {
        return new StoredSample(id, filepath, tags, metadata, fields);
    }

    public StoredSample withFields(String fields) {
        return new StoredSample(id, filepath, tags, metadata, fields);
    }
}
