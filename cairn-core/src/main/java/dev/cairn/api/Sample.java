package dev.cairn.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One sample: a media file, its tags and metadata, and its typed fields (labels among them).
 * A sample is an immutable value; the {@code with...} methods return changed copies. Its id is
 * given when it is made, and stays with it when it is stored, exported and imported.
 */
public final class Sample {

    public static final int MAX_FILEPATH_LENGTH = 4096;

    private final String id;
    private final String filepath;
    private final List<String> tags;
    private final Metadata metadata;
    private final Map<String, Object> fields;
    private final Instant createdAt;
    private final Instant lastModifiedAt;

    private Sample(String id, String filepath, List<String> tags, Metadata metadata, Map<String, Object> fields,
                   Instant createdAt, Instant lastModifiedAt) {
        this.id = id;
        this.filepath = filepath;
        this.tags = tags;
        this.metadata = metadata;
        this.fields = fields;
        this.createdAt = createdAt;
        this.lastModifiedAt = lastModifiedAt;
    }

    /** A new sample of the given media file, with a new id. */
    public static Sample of(String filepath) {
        return new Sample(SampleIds.next(), checkFilepath(filepath), List.of(), null, Map.of(), null, null);
    }

    /**
     * A sample as stored: used by the storage layer and by imports. The id must be a UUID, and
     * every value must already be in canonical form.
     */
    public static Sample restore(String id, String filepath, List<String> tags, Metadata metadata,
                                 Map<String, Object> fields, Instant createdAt, Instant lastModifiedAt) {
        return new Sample(SampleIds.check(id), checkFilepath(filepath), checkTags(tags), metadata,
                Collections.unmodifiableMap(new LinkedHashMap<>(fields)), createdAt, lastModifiedAt);
    }

    private static String checkFilepath(String filepath) {
        if (filepath == null || filepath.isEmpty()) {
            throw new InvalidInputException("a sample's filepath cannot be empty");
        }
        if (filepath.length() > MAX_FILEPATH_LENGTH) {
            throw new InvalidInputException("the filepath " + Texts.quoted(filepath) + " is too long: at most "
                    + MAX_FILEPATH_LENGTH + " characters");
        }
        Values.json(filepath, "the filepath " + Texts.quoted(filepath));
        return filepath;
    }

    private static List<String> checkTags(Collection<String> tags) {
        List<String> out = new ArrayList<>(tags.size());
        for (String t : tags) {
            if (t == null || t.isEmpty()) {
                throw new InvalidInputException("a tag cannot be empty");
            }
            String problem = Names.problem(t);
            if (problem != null) {
                throw new InvalidInputException("the tag " + Texts.quoted(t) + " " + problem);
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public String id() {
        return id;
    }

    public String filepath() {
        return filepath;
    }

    /** The tags, without repeats, in the order they were given. */
    public List<String> tags() {
        return tags;
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }

    public Optional<Metadata> metadata() {
        return Optional.ofNullable(metadata);
    }

    /** The fields set on this sample, in canonical form (see {@link Values}). */
    public Map<String, Object> fields() {
        return fields;
    }

    /** A field's value, or {@code null} if it is not set. */
    public Object get(String field) {
        return fields.get(field);
    }

    /** When the sample was first stored, on data model 0.2.0 and later; empty before it is stored. */
    public Optional<Instant> createdAt() {
        return Optional.ofNullable(createdAt);
    }

    /** When the sample was last written, on data model 0.2.0 and later; empty before it is stored. */
    public Optional<Instant> lastModifiedAt() {
        return Optional.ofNullable(lastModifiedAt);
    }

    public Sample withFilepath(String filepath) {
        return new Sample(id, checkFilepath(filepath), tags, metadata, fields, createdAt, lastModifiedAt);
    }

    /** This sample with exactly these tags. */
    public Sample withTags(Collection<String> tags) {
        return new Sample(id, filepath, checkTags(tags), metadata, fields, createdAt, lastModifiedAt);
    }

    public Sample withTags(String... tags) {
        return withTags(List.of(tags));
    }

    /** This sample with the tags added to its own. */
    public Sample tagged(String... more) {
        List<String> all = new ArrayList<>(tags);
        all.addAll(List.of(more));
        return withTags(all);
    }

    public Sample withMetadata(Metadata metadata) {
        return new Sample(id, filepath, tags, metadata, fields, createdAt, lastModifiedAt);
    }

    /** This sample with the field set; a {@code null} value keeps the field, empty. */
    public Sample with(String field, Object value) {
        Field.checkName(field);
        Map<String, Object> changed = new LinkedHashMap<>(fields);
        changed.put(field, Values.normalize(value, "field '" + field + "'"));
        return new Sample(id, filepath, tags, metadata, Collections.unmodifiableMap(changed), createdAt, lastModifiedAt);
    }

    /** This sample without the field. */
    public Sample without(String field) {
        Map<String, Object> changed = new LinkedHashMap<>(fields);
        changed.remove(field);
        return new Sample(id, filepath, tags, metadata, Collections.unmodifiableMap(changed), createdAt, lastModifiedAt);
    }

    /**
     * Whether the two samples hold the same content: id, filepath, tags, metadata and fields.
     * The timestamps the database keeps are not content.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Sample s)) {
            return false;
        }
        return id.equals(s.id) && filepath.equals(s.filepath) && tags.equals(s.tags)
                && Objects.equals(metadata, s.metadata) && fields.equals(s.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, filepath, tags, metadata, fields);
    }

    @Override
    public String toString() {
        return "Sample{id=" + id + ", filepath=" + filepath + ", tags=" + tags + ", metadata=" + metadata
                + ", fields=" + fields + "}";
    }
}
