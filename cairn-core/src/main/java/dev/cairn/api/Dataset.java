package dev.cairn.api;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A loaded dataset. A dataset handle stays valid while the dataset exists, under renames and
 * migrations by other clients: each operation checks the dataset's stored version in its own
 * transaction and refuses, before writing anything, if this client does not accept it.
 *
 * <p>Writes are checked against the dataset's field schema: a value of the wrong type is refused
 * with a message that names the field, and nothing of that write is stored. A field that the
 * schema does not have yet is added to it with the type of its first value.
 */
public interface Dataset {

    /** The dataset's name, as of the last time this handle read it. */
    String name();

    /** What the dataset is now. */
    DatasetInfo info();

    /** The field schema now. */
    List<Field> schema();

    long count();

    long count(Filter filter);

    /** Adds one sample and returns it as stored. */
    Sample add(Sample sample);

    /**
     * Adds samples in bulk, in one transaction: all of them or, if any is refused, none. The
     * samples are streamed to the database and never held in memory all at once.
     *
     * @return how many samples were added
     */
    long addAll(Iterator<Sample> samples);

    default long addAll(Iterable<Sample> samples) {
        return addAll(samples.iterator());
    }

    /** The sample with this id, or an exception naming it if there is none. */
    Sample get(String id);

    Optional<Sample> find(String id);

    /** Replaces a stored sample's filepath, tags, metadata and fields with the given ones. */
    void update(Sample sample);

    /** Deletes a sample; returns whether it existed. */
    boolean delete(String id);

    /**
     * Every selected sample, streamed from the database in batches: never all in memory. The
     * stream holds a connection and must be closed, as with {@code Files.lines}.
     */
    Stream<Sample> stream(Query query);

    default Stream<Sample> stream() {
        return stream(Query.all());
    }

    /** The selected samples, in a list: for queries with a limit. */
    List<Sample> list(Query query);

    void addField(String name, FieldType type);

    void renameField(String from, String to);

    void deleteField(String name);

    /**
     * The distinct values of a field among the selected samples, sorted. {@code path} is a field
     * name ({@code tags} for the samples' tags); for a label field the values are its labels.
     */
    List<Object> distinct(String path, Filter filter);

    default List<Object> distinct(String path) {
        return distinct(path, Filter.all());
    }

    /** How many selected samples hold each value of the field; see {@link #distinct}. */
    Map<Object, Long> countValues(String path, Filter filter);

    default Map<Object, Long> countValues(String path) {
        return countValues(path, Filter.all());
    }

    /**
     * Saves a query under a name, replacing a view of that name (data model 0.3.0 and later: on
     * an older database this is refused, saying which upgrade it needs).
     */
    void saveView(String name, Query query);

    /** A saved view's query. */
    Optional<Query> view(String name);

    /** The saved views, by name. */
    Map<String, Query> views();

    /** Deletes a saved view; returns whether it existed. */
    boolean deleteView(String name);

    void setInfo(Map<String, Object> info);

    void setTags(List<String> tags);

    void setClasses(List<String> classes);
}
