package dev.cairn.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.Feedback;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.Filter;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.Query;
import dev.cairn.api.Remedy;
import dev.cairn.api.Sample;
import dev.cairn.api.SampleIds;
import dev.cairn.api.Texts;
import dev.cairn.api.Values;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonLines;
import dev.cairn.json.QueryJson;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Layout;
import dev.cairn.store.Postgres;
import dev.cairn.store.SampleCodec;
import dev.cairn.store.SampleQuerySql;
import dev.cairn.store.SampleRow;
import dev.cairn.store.SampleTable;
import dev.cairn.store.Sql;
import dev.cairn.store.Statements;
import dev.cairn.store.ViewTable;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A dataset in its tables. Every operation is one transaction that first locks what it needs and
 * reads the dataset's stored version under that lock, then refuses or works at the version this
 * client accepts: reads take the sample table's shared lock (a migration waits for them, and they
 * for it); writes lock the dataset's row (so do migrations, first).
 */
public final class StoredDataset implements Dataset {

    /** Work under a dataset's lock, given its record and the version this client works at. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c, DatasetRecord record, Version working) throws SQLException;
    }

    private final Postgres postgres;
    private final DataModel model;
    private final long id;
    private final Supplier<String> writtenBy;
    private final Sql.Work<Version> databaseVersion;
    private final MigrationWatch watch;
    private final Feedback feedback;
    private volatile String name;

    /** Tells who migrates a dataset, for a client that has to wait for it. */
    @FunctionalInterface
    public interface MigrationWatch {
        java.util.Optional<String> describe(Connection c, long datasetId) throws SQLException;
    }

    /**
     * @param writtenBy       the release that last moved the database, to name in refusals
     * @param databaseVersion the version this client works at on the database as a whole, read in
     *                        the caller's transaction and kept from changing until it ends
     */
    public StoredDataset(Postgres postgres, DataModel model, DatasetRecord record, Supplier<String> writtenBy,
                         Sql.Work<Version> databaseVersion, MigrationWatch watch, Feedback feedback) {
        this.postgres = postgres;
        this.model = model;
        this.id = record.id();
        this.name = record.name();
        this.writtenBy = writtenBy;
        this.databaseVersion = databaseVersion;
        this.watch = watch;
        this.feedback = feedback;
    }

    /** Takes the sample table's read lock, telling the user who migrates the dataset if it must wait. */
    private void lockForRead(Connection c) throws SQLException {
        Waits.patiently(c, () -> {
            SampleTable.lockForRead(c, id, name);
            return null;
        }, t -> watch.describe(t, id), feedback, "the dataset " + Texts.quoted(name));
    }

    /** The dataset's number, which names its sample table. */
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    <T> T read(String doing, Work<T> work) {
        return explained(() -> postgres.inTransaction(c -> {
            lockForRead(c);
            DatasetRecord r = DatasetTable.byId(c, id).orElseThrow(() -> DatasetTable.gone(name));
            name = r.name();
            return work.run(c, r, DatasetCompatibility.workingVersion(model, r, writtenBy.get()));
        }, doing + " in the dataset " + Texts.quoted(name)));
    }

    /** Runs {@code action}, telling a deleted dataset from a damaged one if its sample table is missing. */
    private <T> T explained(Supplier<T> action) {
        try {
            return action.get();
        } catch (SampleTable.MissingTable e) {
            boolean exists = postgres.withConnection(c -> DatasetTable.byId(c, id).isPresent(), "reading the dataset");
            throw e.explain(exists);
        }
    }

    <T> T write(String doing, Work<T> work) {
        return explained(() -> postgres.inTransaction(c -> {
            DatasetRecord r = Waits.patiently(c, () -> DatasetTable.lockForWrite(c, id, name), t -> watch.describe(t, id),
                    feedback, "the dataset " + Texts.quoted(name));
            name = r.name();
            Version working = DatasetCompatibility.workingVersion(model, r, writtenBy.get());
            SampleTable.lockForRead(c, id, name);
            return work.run(c, r, working);
        }, doing + " in the dataset " + Texts.quoted(name)));
    }

    @Override
    public DatasetInfo info() {
        return read("reading the dataset's information", (c, r, w) -> r.toInfo(SampleTable.count(c, id,
                new SampleQuerySql.Fragment("true", List.of()))));
    }

    @Override
    public List<Field> schema() {
        return read("reading the schema", (c, r, w) -> r.fields());
    }

    @Override
    public long count() {
        return count(Filter.all());
    }

    @Override
    public long count(Filter filter) {
        return read("counting samples", (c, r, w) -> SampleTable.count(c, id, sql(r).where(filter)));
    }

    private SampleQuerySql sql(DatasetRecord r) {
        return new SampleQuerySql(r.schema(), r.name());
    }

    @Override
    public Sample add(Sample sample) {
        addAll(List.of(sample).iterator());
        return get(sample.id());
    }

    @Override
    public long addAll(Iterator<Sample> samples) {
        return write("adding samples", (c, r, w) -> {
            SampleCodec codec = new SampleCodec(r, w);
            long n;
            try (SampleTable.Copy copy = new SampleTable.Copy(c, id, r.name())) {
                while (samples.hasNext()) {
                    Sample s = samples.next();
                    if (s == null) {
                        throw new dev.cairn.api.InvalidInputException("a null sample cannot be added");
                    }
                    copy.add(codec.toRow(s));
                }
                n = copy.finish();
            } catch (SampleTable.DuplicateId d) {
                throw new AlreadyExistsException("the dataset " + Texts.quoted(r.name()) + " has a sample with id " + d.id()
                        + " already, or the batch holds it twice; no sample of this batch was added");
            }
            if (!codec.added().isEmpty()) {
                DatasetTable.setFields(c, id, codec.schema());
            }
            DatasetTable.addToCount(c, id, n);
            return n;
        });
    }

    @Override
    public Sample get(String sampleId) {
        return find(sampleId).orElseThrow(() -> new NotFoundException("the dataset " + Texts.quoted(name)
                + " has no sample " + sampleId));
    }

    @Override
    public Optional<Sample> find(String sampleId) {
        String checked = SampleIds.check(sampleId);
        return read("reading a sample", (c, r, w) ->
                SampleTable.get(c, id, checked, Layout.at(w)).map(row -> new SampleCodec(r, w).fromRow(row)));
    }

    @Override
    public void update(Sample sample) {
        write("updating a sample", (c, r, w) -> {
            SampleCodec codec = new SampleCodec(r, w);
            SampleRow row = codec.toRow(sample);
            if (!SampleTable.update(c, id, row, codec.knownFields())) {
                throw new NotFoundException("the dataset " + Texts.quoted(r.name()) + " has no sample " + sample.id()
                        + " to update; add it instead");
            }
            if (!codec.added().isEmpty()) {
                DatasetTable.setFields(c, id, codec.schema());
            }
            return null;
        });
    }

    @Override
    public boolean delete(String sampleId) {
        String checked = SampleIds.check(sampleId);
        return write("deleting a sample", (c, r, w) -> {
            boolean deleted = SampleTable.delete(c, id, checked);
            DatasetTable.addToCount(c, id, deleted ? -1 : 0);
            return deleted;
        });
    }

    @Override
    public Stream<Sample> stream(Query query) {
        return explained(() -> openStream(query));
    }

    private Stream<Sample> openStream(Query query) {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            lockForRead(c);
            DatasetRecord r = DatasetTable.byId(c, id).orElseThrow(() -> DatasetTable.gone(name));
            name = r.name();
            Iterator<Sample> rows = cursor(c, r, query);
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED | Spliterator.NONNULL),
                    false).onClose(() -> closeQuietly(c));
        } catch (SQLException e) {
            closeQuietly(c);
            throw Sql.translate(e, "reading the dataset " + Texts.quoted(name));
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private Connection connection() {
        try {
            return postgres.connection();
        } catch (SQLException e) {
            throw Sql.translate(e, "reading the dataset " + Texts.quoted(name));
        }
    }

    /** The selected samples, read from a server-side cursor in batches, in the caller's transaction. */
    private Iterator<Sample> cursor(Connection c, DatasetRecord r, Query query) throws SQLException {
        SampleCodec codec = new SampleCodec(r, DatasetCompatibility.workingVersion(model, r, writtenBy.get()));
        SampleQuerySql q = sql(r);
        SampleQuerySql.Fragment where = q.where(query.filter());
        SampleQuerySql.Fragment window = q.window(query);
        PreparedStatement ps = c.prepareStatement("SELECT " + SampleTable.columns(codec.layout()) + " FROM "
                + SampleTable.name(id) + " s WHERE " + where.sql() + window.sql());
        ps.setFetchSize(1000);
        Statements.bind(ps, 1, where.params());
        Statements.bind(ps, 1 + where.params().size(), window.params());
        ResultSet rs = ps.executeQuery();
        return new Iterator<>() {
            private Boolean ready;

            @Override
            public boolean hasNext() {
                if (ready == null) {
                    try {
                        ready = rs.next();
                    } catch (SQLException e) {
                        throw Sql.translate(e, "reading the dataset " + Texts.quoted(name));
                    }
                }
                return ready;
            }

            @Override
            public Sample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = null;
                try {
                    return codec.fromRow(SampleTable.read(rs, codec.layout()));
                } catch (SQLException e) {
                    throw Sql.translate(e, "reading the dataset " + Texts.quoted(name));
                }
            }
        };
    }

    /**
     * Writes the dataset in Cairn's JSON Lines format, from one consistent snapshot, streaming.
     *
     * @return how many samples were written
     */
    public long exportTo(OutputStream out, Feedback feedback) {
        return explained(() -> export(out, feedback));
    }

    private long export(OutputStream out, Feedback feedback) {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            lockForRead(c);
            DatasetRecord r = DatasetTable.byId(c, id).orElseThrow(() -> DatasetTable.gone(name));
            name = r.name();
            long total = SampleTable.count(c, id, new SampleQuerySql.Fragment("true", List.of()));
            JsonLines.write(out, JsonLines.header(r, total));
            long n = 0;
            try (Feedback.Progress progress = feedback.start("exporting " + Texts.quoted(name), total, "samples")) {
                for (Iterator<Sample> it = cursor(c, r, Query.all()); it.hasNext(); ) {
                    JsonLines.write(out, JsonLines.line(it.next()));
                    if (++n % 1000 == 0) {
                        progress.advance(1000);
                    }
                }
                progress.advance(n % 1000);
            }
            out.flush();
            return n;
        } catch (SQLException e) {
            throw Sql.translate(e, "exporting the dataset " + Texts.quoted(name));
        } catch (IOException e) {
            throw new dev.cairn.api.CairnException("cannot write the export of " + Texts.quoted(name) + ": "
                    + e.getMessage(), e);
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // closing is all that is left to do
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // the pool drops a broken connection
        }
    }

    @Override
    public List<Sample> list(Query query) {
        try (Stream<Sample> s = stream(query)) {
            return s.toList();
        }
    }

    @Override
    public void addField(String field, FieldType type) {
        Field added = new Field(field, type);
        write("adding field '" + field + "'", (c, r, w) -> {
            if (r.schema().containsKey(field)) {
                throw new AlreadyExistsException("the dataset " + Texts.quoted(r.name()) + " has a field '" + field
                        + "' already, of type " + r.schema().get(field));
            }
            List<Field> fields = new ArrayList<>(r.fields());
            fields.add(added);
            DatasetTable.setFields(c, id, fields);
            return null;
        });
    }

    @Override
    public void renameField(String from, String to) {
        Field.checkName(to);
        write("renaming field '" + from + "'", (c, r, w) -> {
            FieldType type = requireField(r, from);
            if (r.schema().containsKey(to)) {
                throw new AlreadyExistsException("the dataset " + Texts.quoted(r.name()) + " has a field '" + to
                        + "' already; field '" + from + "' keeps its name");
            }
            List<Field> fields = new ArrayList<>();
            for (Field f : r.fields()) {
                fields.add(f.name().equals(from) ? new Field(to, type) : f);
            }
            SampleTable.renameField(c, id, from, to);
            DatasetTable.setFields(c, id, fields);
            return null;
        });
    }

    @Override
    public void deleteField(String field) {
        write("deleting field '" + field + "'", (c, r, w) -> {
            requireField(r, field);
            SampleTable.deleteField(c, id, field);
            DatasetTable.setFields(c, id, r.fields().stream().filter(f -> !f.name().equals(field)).toList());
            return null;
        });
    }

    private static FieldType requireField(DatasetRecord r, String field) {
        FieldType type = r.schema().get(field);
        if (type == null) {
            throw new NotFoundException("the dataset " + Texts.quoted(r.name()) + " has no field '" + field + "'"
                    + (r.fields().isEmpty() ? "" : "; its fields are " + String.join(", ", r.schema().keySet())));
        }
        return type;
    }

    @Override
    public List<Object> distinct(String path, Filter filter) {
        return new ArrayList<>(countValues(path, filter).keySet());
    }

    @Override
    public Map<Object, Long> countValues(String path, Filter filter) {
        return read("counting values of '" + path + "'", (c, r, w) -> {
            SampleQuerySql q = sql(r);
            SampleQuerySql.ValuePath v = q.values(path);
            SampleQuerySql.Fragment where = q.where(filter);
            String sql = "SELECT " + v.value() + " AS value, count(*) FROM " + SampleTable.name(id) + " s"
                    + (v.from() == null ? "" : ", " + v.from()) + " WHERE (" + where.sql() + ") AND " + v.value()
                    + " IS NOT NULL GROUP BY 1 ORDER BY 1";
            Map<Object, Long> out = new LinkedHashMap<>();
            Statements.each(c, sql, rs -> out.put(javaValue(rs.getObject(1), v.type()), rs.getLong(2)),
                    valueQueryParams(v, where).toArray());
            return out;
        });
    }

    /** The parameters in SQL order: the value (in SELECT), the FROM's, the WHERE's, and the value again. */
    private static List<Object> valueQueryParams(SampleQuerySql.ValuePath v, SampleQuerySql.Fragment where) {
        List<Object> params = new ArrayList<>();
        if (v.from() == null) {
            params.addAll(v.params());
            params.addAll(where.params());
            params.addAll(v.params());
        } else {
            params.addAll(v.params());
            params.addAll(where.params());
        }
        return params;
    }

    private static Object javaValue(Object sqlValue, FieldType type) {
        if (sqlValue instanceof BigDecimal b) {
            if (type != null && type.kind() == FieldType.Kind.INT) {
                return b.longValueExact();
            }
            return b.doubleValue();
        }
        if (sqlValue instanceof Timestamp t) {
            return t.toInstant();
        }
        if (sqlValue instanceof org.postgresql.util.PGobject json) {
            return Json.plain(Json.read(json.getValue()));
        }
        return sqlValue;
    }

    private static final int MAX_VIEW_NAME = 100;

    /** Saved views need data model 0.3.0, of the database and of this client. */
    private <T> T withViews(String doing, Work<T> work) {
        return write(doing, (c, r, w) -> {
            Version database = databaseVersion.run(c);
            if (!Layout.at(model.version()).savedViews()) {
                throw new dev.cairn.api.RefusedException("this client (release " + model.release() + ", data model "
                        + model.version() + ") has no saved views: they came with data model " + Layout.SAVED_VIEWS);
            }
            if (!Layout.at(database).savedViews()) {
                throw new dev.cairn.api.RefusedException("saved views need data model " + Layout.SAVED_VIEWS + ", and this"
                        + " client works with the database at " + database + ". An admin upgrades it with this release:"
                        + " {0}", List.of(new Remedy.Migrate(MigrationRequest.database())));
            }
            return work.run(c, r, w);
        });
    }

    private static String checkViewName(String view) {
        if (view == null || view.isEmpty() || view.length() > MAX_VIEW_NAME || view.chars().anyMatch(Character::isISOControl)) {
            throw new dev.cairn.api.InvalidInputException("a view's name is 1 to " + MAX_VIEW_NAME + " characters without"
                    + " control characters, not " + Texts.quoted(String.valueOf(view)));
        }
        return view;
    }

    @Override
    public void saveView(String view, Query query) {
        checkViewName(view);
        String json = QueryJson.write(query);
        withViews("saving view " + Texts.quoted(view), (c, r, w) -> {
            sql(r).where(query.filter());
            sql(r).window(query);
            ViewTable.save(c, id, view, json);
            return null;
        });
    }

    @Override
    public Optional<Query> view(String view) {
        return withViews("reading view " + Texts.quoted(view), (c, r, w) ->
                ViewTable.get(c, id, view).map(QueryJson::read));
    }

    @Override
    public Map<String, Query> views() {
        return withViews("reading the saved views", (c, r, w) -> {
            Map<String, Query> out = new LinkedHashMap<>();
            ViewTable.list(c, id).forEach((k, v) -> out.put(k, QueryJson.read(v)));
            return out;
        });
    }

    @Override
    public boolean deleteView(String view) {
        return withViews("deleting view " + Texts.quoted(view), (c, r, w) -> ViewTable.delete(c, id, view));
    }

    @Override
    public void setInfo(Map<String, Object> info) {
        JsonNode json = Json.encode(Values.jsonObject(info, "the dataset's info"));
        write("setting the dataset's info", (c, r, w) -> {
            DatasetTable.setInfo(c, id, json);
            return null;
        });
    }

    @Override
    public void setTags(List<String> tags) {
        List<String> checked = checkNames(tags, "tag");
        write("setting the dataset's tags", (c, r, w) -> {
            DatasetTable.setTags(c, id, checked);
            return null;
        });
    }

    @Override
    public void setClasses(List<String> classes) {
        List<String> checked = checkNames(classes, "class");
        write("setting the dataset's classes", (c, r, w) -> {
            DatasetTable.setClasses(c, id, checked);
            return null;
        });
    }

    private static List<String> checkNames(List<String> names, String what) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n == null || n.isEmpty()) {
                throw new dev.cairn.api.InvalidInputException("a " + what + " cannot be empty");
            }
            Values.json(n, "the " + what + " " + Texts.quoted(n));
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Dataset[" + name + "]";
    }
}
