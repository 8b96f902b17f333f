package dev.cairn.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.CairnException;
import dev.cairn.api.DataModel;
import dev.cairn.api.DatasetNames;
import dev.cairn.api.Feedback;
import dev.cairn.api.Field;
import dev.cairn.api.FieldType;
import dev.cairn.api.ImportResult;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Remedy;
import dev.cairn.api.Sample;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.store.DatasetLifecycle;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Postgres;
import dev.cairn.store.SampleCodec;
import dev.cairn.store.SampleTable;
import dev.cairn.store.Sql;
import dev.cairn.text.JsonErrors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cairn's native JSON Lines format: a header line that describes the dataset (name, creation
 * time, info, tags, classes, field schema, sample count), then one line a sample. A dataset
 * exported and imported again is the same dataset, schema included. Both directions stream:
 * no more than one line is held in memory at once.
 *
 * <p>An import is all or nothing: it runs in one transaction, and any bad line (reported with
 * its number) leaves the database as it was.
 */
public final class JsonLines {

    public static final int FORMAT = 1;
    private static final Set<String> HEADER_KEYS = Set.of("cairn", "format", "name", "created_at", "data_model",
            "samples", "info", "tags", "classes", "fields");
    private static final Set<String> SAMPLE_KEYS = Set.of("id", "filepath", "tags", "metadata", "fields");

    private JsonLines() {
    }

    /** How an import goes. */
    public record ImportOptions(String source, String name, boolean replace) {
    }

    /**
     * Imports a file into a new dataset.
     *
     * @param totalBytes the input's size for progress, or -1 if unknown
     * @param version    chooses the new dataset's version in the importing transaction
     */
    public static ImportResult importLines(Postgres postgres, DataModel model, InputStream in, long totalBytes,
                                           ImportOptions options, Sql.Work<Version> version, Feedback feedback) {
        try (LineReader lines = new LineReader(in, options.source())) {
            Header header = readHeader(lines, options.source());
            String name = options.name() != null ? options.name() : header.name;
            DatasetNames.check(name);
            try (Feedback.Progress progress = feedback.start("importing " + Texts.quoted(name), totalBytes, "bytes")) {
                return postgres.inTransaction(tx -> {
                    if (options.replace()) {
                        DatasetLifecycle.delete(tx, name);
                    }
                    Version v = version.run(tx);
                    DatasetRecord record;
                    try {
                        record = DatasetLifecycle.create(tx, model, name, v, new DatasetTable.Contents(header.createdAt,
                                header.info, header.tags, header.classes, header.fields), feedback);
                    } catch (dev.cairn.api.AlreadyExistsException e) {
                        throw new dev.cairn.api.AlreadyExistsException("a dataset named " + Texts.quoted(name)
                                + " exists already; import under another name (--name NAME), or replace it (--replace)."
                                + " Nothing was imported");
                    }
                    SampleCodec codec = new SampleCodec(record, v);
                    Map<String, FieldType> schema = record.schema();
                    long n;
                    long reported = lines.bytesRead();
                    progress.advance(reported);
                    // the line of each sample, for errors that the database finds by row: the COPY's row
                    // k is line k + header + the blank lines before it
                    List<Long> blanks = new ArrayList<>();
                    long headerLines = lines.lineNumber();
                    try (SampleTable.Copy copy = new SampleTable.Copy(tx, record.id(), name)) {
                        String line;
                        while ((line = readLine(lines)) != null) {
                            if (line.isBlank()) {
                                blanks.add(lines.lineNumber());
                                continue;
                            }
                            Sample s = sample(line, schema, options.source(), lines.lineNumber());
                            copy.add(codec.toRow(s));
                            if (lines.bytesRead() - reported >= 1 << 20) {
                                progress.advance(lines.bytesRead() - reported);
                                reported = lines.bytesRead();
                            }
                        }
                        n = copy.finish();
                    } catch (SampleTable.DuplicateId d) {
                        String where = d.row() < 0 ? options.source() : options.source() + " line "
                                + lineOf(d.row(), headerLines, blanks);
                        throw new InvalidInputException(where + ": the sample id " + d.id() + " is in the file twice;"
                                + " each sample needs an id of its own. Nothing was imported");
                    }
                    progress.advance(lines.bytesRead() - reported);
                    if (header.samples != null && header.samples != n) {
                        throw new InvalidInputException(options.source() + " has " + n + " samples but its header says "
                                + header.samples + ": the file is incomplete or was edited. Nothing was imported");
                    }
                    DatasetTable.setCount(tx, record.id(), n);
                    return new ImportResult(name, v, n);
                }, "importing " + options.source());
            }
        } catch (IOException e) {
            throw new CairnException(CairnException.Kind.INVALID_INPUT, "cannot read " + options.source() + ": "
                    + e.getMessage() + ". Nothing was imported", e);
        }
    }

    /** The file line of the COPY's row {@code row} (from 1). */
    private static long lineOf(long row, long headerLines, List<Long> blanks) {
        long line = headerLines + row;
        for (long blank : blanks) {
            if (blank <= line) {
                line++;
            }
        }
        return line;
    }

    private static String readLine(LineReader lines) throws java.sql.SQLException {
        try {
            return lines.next();
        } catch (IOException e) {
            throw new CairnException(CairnException.Kind.INVALID_INPUT, "cannot read line " + (lines.lineNumber() + 1)
                    + ": " + e.getMessage() + ". Nothing was imported", e);
        }
    }

    private record Header(String name, Instant createdAt, Long samples, ObjectNode info, List<String> tags,
                          List<String> classes, List<Field> fields) {
    }

    private static Header readHeader(LineReader lines, String source) throws IOException {
        String first = lines.next();
        while (first != null && first.isBlank()) {
            first = lines.next();
        }
        if (first == null) {
            throw new InvalidInputException(source + " is empty: a Cairn JSON Lines file starts with a header line"
                    + " such as {\"cairn\": \"dataset\", \"format\": 1, \"name\": ...}");
        }
        long at = lines.lineNumber();
        JsonNode h = parse(first, source, at);
        String where = source + " line " + at + " (the header)";
        if (!h.isObject() || !"dataset".equals(h.path("cairn").asText(null))) {
            throw new InvalidInputException(where + " is not a Cairn dataset header: it must be an object with"
                    + " \"cairn\": \"dataset\"; is this a file that '{0}' wrote?", List.of(new Remedy.Export()));
        }
        unknownKeys(h, HEADER_KEYS, where);
        if (!h.path("format").isInt() || h.get("format").intValue() != FORMAT) {
            throw new InvalidInputException(where + " has format " + h.path("format") + "; this release reads format "
                    + FORMAT);
        }
        if (!h.path("name").isTextual()) {
            throw new InvalidInputException(where + " has no \"name\" string");
        }
        Instant created = null;
        if (h.hasNonNull("created_at")) {
            try {
                created = Instant.parse(h.get("created_at").asText());
            } catch (DateTimeParseException e) {
                throw new InvalidInputException(where + ": created_at " + h.get("created_at") + " is not an ISO-8601 time");
            }
        }
        Long samples = null;
        if (h.hasNonNull("samples")) {
            if (!h.get("samples").canConvertToLong() || h.get("samples").longValue() < 0 || !h.get("samples").isIntegralNumber()) {
                throw new InvalidInputException(where + ": samples " + h.get("samples") + " is not a count");
            }
            samples = h.get("samples").longValue();
        }
        JsonNode info = h.path("info");
        if (!info.isMissingNode() && !info.isNull() && !info.isObject()) {
            throw new InvalidInputException(where + ": info must be an object");
        }
        List<Field> fields;
        try {
            fields = h.hasNonNull("fields") ? Json.decodeSchema(h.get("fields"), false) : List.of();
        } catch (Json.Mismatch e) {
            throw new InvalidInputException(where + ": " + e.getMessage());
        }
        return new Header(h.get("name").textValue(), created, samples,
                info.isObject() ? (ObjectNode) info : Json.NODES.objectNode(), strings(h.get("tags"), where, "tags"),
                strings(h.get("classes"), where, "classes"), fields);
    }

    private static List<String> strings(JsonNode n, String where, String what) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new InvalidInputException(where + ": " + what + " must be a list of strings");
        }
        for (JsonNode e : n) {
            if (!e.isTextual() || e.textValue().isEmpty()) {
                throw new InvalidInputException(where + ": " + what + " must be a list of non-empty strings, not " + n);
            }
            if (!out.contains(e.textValue())) {
                out.add(e.textValue());
            }
        }
        return out;
    }

    private static JsonNode parse(String line, String source, long number) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            long column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new InvalidInputException(source + " line " + number + (column > 0 ? ", column " + column : "")
                    + " is not valid JSON: " + JsonErrors.reason(e) + ". Nothing was imported");
        }
    }

    private static void unknownKeys(JsonNode n, Set<String> known, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new InvalidInputException(where + " has an unknown key " + Texts.quoted(k) + "; the keys are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static Sample sample(String line, Map<String, FieldType> schema, String source, long number) {
        String where = source + " line " + number;
        JsonNode n = parse(line, source, number);
        if (!n.isObject()) {
            throw new InvalidInputException(where + ": a sample is a JSON object, not " + n.getNodeType().name().toLowerCase());
        }
        try {
            unknownKeys(n, SAMPLE_KEYS, where);
            JsonNode fields = n.path("fields");
            if (!fields.isMissingNode() && !fields.isNull()) {
                if (!fields.isObject()) {
                    throw new InvalidInputException(where + ": fields must be an object");
                }
                for (Iterator<String> it = fields.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!schema.containsKey(f)) {
                        throw new InvalidInputException(where + ": field '" + Texts.printable(f) + "' is not in the"
                                + " header's schema" + (schema.isEmpty() ? "" : " (" + String.join(", ", schema.keySet()) + ")"));
                    }
                }
            }
            if (!n.path("filepath").isTextual()) {
                throw new InvalidInputException(where + ": a sample needs a \"filepath\" string");
            }
            String id = n.hasNonNull("id") ? n.get("id").asText() : null;
            if (n.hasNonNull("id") && !n.get("id").isTextual()) {
                throw new InvalidInputException(where + ": id must be a string (a UUID)");
            }
            return Sample.restore(id == null ? dev.cairn.api.SampleIds.next() : id, n.get("filepath").textValue(),
                    strings(n.get("tags"), where, "tags"), Json.decodeMetadata(n.get("metadata")),
                    Json.decodeFields(fields.isMissingNode() ? null : fields, schema), null, null);
        } catch (Json.Mismatch e) {
            throw new InvalidInputException(where + ": " + e.getMessage() + ". Nothing was imported");
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new InvalidInputException(where + ": " + e.getMessage() + ". Nothing was imported");
        }
    }

    /** The header line of a dataset, as export writes it. */
    public static String header(DatasetRecord r, long samples) {
        ObjectNode h = Json.NODES.objectNode();
        h.put("cairn", "dataset");
        h.put("format", FORMAT);
        h.put("name", r.name());
        h.put("created_at", r.createdAt().toString());
        h.put("data_model", r.version().toString());
        h.put("samples", samples);
        h.set("info", r.info());
        ArrayNode tags = h.putArray("tags");
        r.tags().forEach(tags::add);
        ArrayNode classes = h.putArray("classes");
        r.classes().forEach(classes::add);
        h.set("fields", Json.encodeSchema(r.fields()));
        return Json.write(h);
    }

    /** One sample as its line. */
    public static String line(Sample s) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("id", s.id());
        o.put("filepath", s.filepath());
        ArrayNode tags = o.putArray("tags");
        s.tags().forEach(tags::add);
        s.metadata().ifPresent(m -> o.set("metadata", Json.encodeMetadata(m)));
        o.set("fields", Json.encodeFields(s.fields()));
        return Json.write(o);
    }

    public static void write(OutputStream out, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }
}
