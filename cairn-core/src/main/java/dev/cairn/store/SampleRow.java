package dev.cairn.store;

import java.time.Instant;
import java.util.List;

/**
 * A sample as its table row: JSON kept as text, so that rows can pass from one table or file to
 * another without being parsed.
 *
 * @param metadata JSON text, or {@code null}
 * @param fields   JSON text of an object
 */
public record SampleRow(String id, String filepath, List<String> tags, String metadata, String fields,
                        Instant createdAt, Instant lastModifiedAt) {
}
