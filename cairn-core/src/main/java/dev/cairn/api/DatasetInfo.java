package dev.cairn.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a dataset is, as stored now.
 *
 * @param name         its unique name
 * @param version      the data model version of its stored content
 * @param createdAt    when it was created
 * @param lastLoadedAt when a client last loaded it, if ever
 * @param sampleCount  how many samples it holds
 * @param info         free-form JSON information about it
 * @param tags         its own tags (not its samples')
 * @param classes      the classes its labels use
 * @param fields       its field schema, in the order fields were added
 */
public record DatasetInfo(String name, Version version, Instant createdAt, Instant lastLoadedAt, long sampleCount,
                          Map<String, Object> info, List<String> tags, List<String> classes, List<Field> fields) {

    public DatasetInfo {
        info = Map.copyOf(info);
        tags = List.copyOf(tags);
        classes = List.copyOf(classes);
        fields = List.copyOf(fields);
    }

    public Optional<Instant> lastLoaded() {
        return Optional.ofNullable(lastLoadedAt);
    }

    public Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
