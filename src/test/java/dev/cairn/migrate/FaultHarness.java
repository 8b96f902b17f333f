package dev.cairn.migrate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.Cairn;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Classification;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.Metadata;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Processes;
import dev.cairn.testing.Queries;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the fault tests of {@code cairn migrate --all} share (SIGKILL of the migrator, a crash of
 * the PostgreSQL server, a dropped connection): a database of datasets written by release 0.1.0,
 * the known-good copy of each dataset's content at 0.1.0 and at 0.4.0 (computed independently of
 * Cairn), rounds of migrations up and down in JVMs of their own that a fault strikes at a random
 * moment, and the checks run after every fault: each dataset whole at its old or new version with
 * exactly its known-good content, nothing ahead of the database, no lock or session left behind,
 * {@code cairn migrate --info} answering and telling the truth.
 */
final class FaultHarness {

    static final String V1 = "0.1.0";
    static final String V4 = "0.4.0";
    static final String[] UP = {"migrate", "--all"};
    static final String[] DOWN = {"migrate", "--all", "-v", V1};

    /** Generous for a 2-core machine that runs other builds at the same time. */
    static final long PROCESS_TIMEOUT_SECONDS = 300;
    static final long LOCK_RELEASE_TIMEOUT_MILLIS = 60_000;
    static final long INFO_TIMEOUT_SECONDS = 60;
    /** {@code -Dcairn.test.faults.verbose=true} prints each fault, the migrator's exit status and why it stopped. */
    static final boolean VERBOSE = Boolean.getBoolean("cairn.test.faults.verbose");

    /** Reads fractions as exact decimals, so that boxes can be turned into corners as Cairn must. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    final CairnConfig current;
    final CairnConfig old;
    final Path scratch;
    final Stats stats = new Stats();
    /** The known-good content of each dataset (by id) at each version it may be found at. */
    private final Map<Long, Map<String, Content>> expected = new TreeMap<>();
    /** The known-good shape of each dataset's sample table at each version. */
    private final Map<String, Map<Long, String>> shapes = new TreeMap<>();
    /** The oldest client version each version records, for the database and for a dataset. */
    private final Map<String, String> databaseMinClient = new TreeMap<>();
    private final Map<String, String> datasetMinClient = new TreeMap<>();
    private final Map<Long, String> names = new TreeMap<>();
    /** The stored text of content found equal, value for value, to a known-good copy, by "id version". */
    private final Map<String, Set<String>> goodRaw = new TreeMap<>();
    private final Map<String, List<Sample>> originals = new LinkedHashMap<>();
    /** Calibration: a clean run each way, and the start-up cost of a run, in ms. */
    long upMillis;
    long downMillis;
    long startMillis;

    FaultHarness(CairnConfig current, String scratchName) {
        this.current = current;
        this.old = current.toBuilder().clientRelease(V1).build();
        this.scratch = Backend.scratch(scratchName);
    }

    int datasets() {
        return names.size();
    }

    // ---------------------------------------------------------------------------------------
    // The datasets, as release 0.1.0 writes them

    /**
     * {@code count} datasets named {@code prefix-NN} (every fifth one, from the third, of
     * {@code bigSize} samples, so that faults land inside their steps as well as between steps;
     * the others of 150 to 400), then one with quotes and accents in its name, and an empty one.
     */
    void createDatasetsAsRelease010(Random random, String prefix, int count, int bigSize) {
        List<String> datasetNames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            datasetNames.add(String.format("%s-%02d", prefix, i));
        }
        datasetNames.add("l'été \"quoted\" ✓");
        datasetNames.add("empty");
        try (Cairn cairn = Cairn.open(old)) {
            assertThat(cairn.workingVersion()).hasToString(V1);
            for (int i = 0; i < datasetNames.size(); i++) {
                String name = datasetNames.get(i);
                int size = name.equals("empty") ? 0 : i % 5 == 2 ? bigSize : 150 + random.nextInt(250);
                List<Sample> samples = new ArrayList<>(size);
                for (int j = 0; j < size; j++) {
                    samples.add(sample(random, name, j));
                }
                Dataset d = cairn.create(name);
                assertThat(d.addAll(samples)).isEqualTo(size);
                originals.put(name, samples);
                stats.samples += size;
            }
        }
    }

    private static Sample sample(Random r, String dataset, int i) {
        Sample s = Sample.of("/data/" + dataset + "/img" + i + ".jpg")
                .withTags(i % 3 == 0 ? List.of("train") : i % 3 == 1 ? List.of("val", "hard") : List.of())
                .withMetadata(Metadata.image(320 + r.nextInt(1600), 240 + r.nextInt(1000), 1000L + r.nextInt(1 << 20),
                        "image/jpeg"))
                .with("index", i)
                .with("score", r.nextDouble())
                .with("label", r.nextInt(10) == 0 ? Classification.of("cat")
                        : Classification.of(r.nextBoolean() ? "cat" : "dog", r.nextDouble()))
                .with("predictions", detections(r, true))
                .with("ground_truth", detections(r, false))
                .with("note", "sample " + i + " of " + dataset)
                .with("reviewed", r.nextBoolean())
                .with("taken", Instant.parse("2024-03-01T00:00:00Z").plusSeconds(r.nextInt(1 << 24)))
                .with("extra", Map.of("source", "camera-" + r.nextInt(4), "boxes", List.of(0.5, 0.25, 1)));
        if (i > 0 && i % 7 == 0) {
            s = s.without("ground_truth"); // a sparse detections field
        }
        return s;
    }

    private static Detections detections(Random r, boolean predicted) {
        int n = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(4);
        List<Detection> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double x = number(r, 1.0);
            double y = number(r, 1.0);
            BoundingBox box = BoundingBox.of(x, y, number(r, 1.0 - x), number(r, 1.0 - y));
            String label = List.of("person", "car", "bike", "dog").get(r.nextInt(4));
            out.add(predicted
                    ? new Detection(label, box, r.nextDouble(), Map.of("occluded", r.nextBoolean(), "track", k))
                    : Detection.of(label, box));
        }
        return new Detections(out);
    }

    /** A number from 0 to {@code max}: full double precision, a few decimals, or a round value. */
    private static double number(Random r, double max) {
        double v = r.nextDouble() * max;
        return switch (r.nextInt(6)) {
            case 0 -> 0.0;
            case 1 -> Math.min(max, 0.5);
            case 2 -> Math.floor(v * 10) / 10;
            case 3 -> Math.floor(v * 1000) / 1000;
            default -> v;
        };
    }

    /**
     * Records the known-good copies of the datasets as they are now (all at 0.1.0), then
     * calibrates: the start-up cost of a run (a {@code --plan}, which must change nothing), then one
     * clean run each way, timed; each must end exactly at the known-good copies.
     */
    void recordAndCalibrate() throws Exception {
        State start = inspect();
        assertThat(start.database).isEqualTo(V1);
        recordKnownGood(start);
        String unchanged = Backend.checksum(current);
        long t0 = System.nanoTime();
        Processes.Finished plan = Processes.run(current, Map.of(), "migrate", "--all", "--plan");
        startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(plan.exit()).as(plan.output()).isZero();
        assertThat(Backend.checksum(current)).as("--plan changes nothing").isEqualTo(unchanged);
        upMillis = runToCompletion(UP, V4);
        downMillis = runToCompletion(DOWN, V1);
    }

    // ---------------------------------------------------------------------------------------
    // Known-good copies

    /** What a dataset's samples are, value for value: a digest in a canonical form, and how many. */
    private record Content(long samples, String digest) {
    }

    private void recordKnownGood(State start) throws SQLException {
        try (Connection c = Backend.raw(current)) {
            for (DatasetRow d : start.datasets.values()) {
                names.put(d.id, d.name);
                Map<String, Content> byVersion = new TreeMap<>();
                byVersion.put(V1, content(c, d, false));
                goodRaw.computeIfAbsent(d.id + " " + V1, k -> new TreeSet<>()).add(rawContent(c, d.id, false).digest());
                // 0.4.0's copy is computed here, independently of Cairn: boxes [x, y, w, h] become
                // corners [x, y, x + w, y + h] in exact decimals; nothing else changes
                byVersion.put(V4, content(c, d, true));
                expected.put(d.id, byVersion);
                shapes.computeIfAbsent(V1, k -> new TreeMap<>()).put(d.id, shape(c, d.id));
            }
        }
        databaseMinClient.put(V1, start.minClient);
        start.datasets.values().forEach(d -> datasetMinClient.put(V1, d.minClient));
    }

    /**
     * The content of a dataset's sample table as it is ({@code asCorners} false) or as 0.4.0 must
     * have it ({@code asCorners} true, from a table at 0.1.0): every row by id, JSON in a canonical
     * form where numbers are compared by value (0.50 is 0.5).
     */
    private static Content content(Connection c, DatasetRow d, boolean asCorners) throws SQLException {
        MessageDigest digest = sha256();
        long n = 0;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(2000);
            try (ResultSet rs = s.executeQuery("SELECT id::text, filepath, tags::text, metadata::text, fields::text"
                    + " FROM " + table(d.id) + " ORDER BY id")) {
                while (rs.next()) {
                    JsonNode fields = parse(rs.getString(5));
                    if (asCorners) {
                        fields = toCorners(fields, d.detectionFields);
                    }
                    StringBuilder row = new StringBuilder(512);
                    row.append(rs.getString(1)).append('\u0001').append(rs.getString(2)).append('\u0001')
                            .append(rs.getString(3)).append('\u0001');
                    canonical(rs.getString(4) == null ? null : parse(rs.getString(4)), row);
                    row.append('\u0001');
                    canonical(fields, row);
                    row.append('\n');
                    digest.update(row.toString().getBytes(StandardCharsets.UTF_8));
                    n++;
                }
            }
        }
        return new Content(n, HexFormat.of().formatHex(digest.digest()));
    }

    /** A sample table's stored text, digested by the database; {@code dated}: samples with a creation time. */
    private record Raw(long samples, String digest, long dated) {
    }

    /** Fast, but by the letter: 0.50 is not 0.5 here. {@code timestamps}: the table has 0.2.0's columns. */
    private static Raw rawContent(Connection c, long id, boolean timestamps) throws SQLException {
        String row = "id::text || E'\\x01' || filepath || E'\\x01' || tags::text || E'\\x01'"
                + " || coalesce(metadata::text, 'null') || E'\\x01' || fields::text";
        String sql = "SELECT count(*), md5(coalesce(string_agg(" + row + ", E'\\n' ORDER BY id), '')), "
                + (timestamps ? "count(created_at)" : "0") + " FROM " + table(id);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return new Raw(rs.getLong(1), rs.getString(2), rs.getLong(3));
        }
    }

    /** How many stored text forms, over all datasets, were found at a version beyond one each. */
    String rawForms(String version) {
        int datasets = 0;
        int forms = 0;
        for (Map.Entry<String, Set<String>> e : goodRaw.entrySet()) {
            if (e.getKey().endsWith(" " + version)) {
                datasets++;
                forms += e.getValue().size();
            }
        }
        return forms + " for " + datasets + " datasets";
    }

    private static JsonNode toCorners(JsonNode fields, Set<String> detectionFields) {
        ObjectNode copy = fields.deepCopy();
        for (String f : detectionFields) {
            JsonNode list = copy.path(f).path("detections");
            for (JsonNode d : list) {
                JsonNode box = d.get("bounding_box");
                if (box != null && box.isArray() && box.size() == 4) {
                    BigDecimal x = box.get(0).decimalValue();
                    BigDecimal y = box.get(1).decimalValue();
                    ArrayNode corners = ((ObjectNode) d).putArray("bounding_box");
                    corners.add(x).add(y).add(x.add(box.get(2).decimalValue())).add(y.add(box.get(3).decimalValue()));
                }
            }
        }
        return copy;
    }

    private static void canonical(JsonNode n, StringBuilder out) {
        if (n == null || n.isNull()) {
            out.append("null");
        } else if (n.isObject()) {
            out.append('{');
            TreeSet<String> keys = new TreeSet<>();
            n.fieldNames().forEachRemaining(keys::add);
            boolean first = true;
            for (String k : keys) {
                out.append(first ? "" : ",").append(JsonNodeFactory.instance.textNode(k)).append(':');
                canonical(n.get(k), out);
                first = false;
            }
            out.append('}');
        } else if (n.isArray()) {
            out.append('[');
            for (int i = 0; i < n.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(n.get(i), out);
            }
            out.append(']');
        } else if (n.isNumber()) {
            out.append(n.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            out.append(n);
        }
    }

    /** The columns, trigger and function of a sample table: what its version's revisions made. */
    private static String shape(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT"
                + " (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
                + "   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                + "   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)"
                + "  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + "  WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped),"
                + " (SELECT string_agg(g.tgname || ' ' || g.tgfoid::regproc::text, ', ' ORDER BY g.tgname)"
                + "  FROM pg_trigger g WHERE g.tgrelid = t.oid AND NOT g.tgisinternal),"
                + " (SELECT string_agg(i.indexrelid::regclass::text, ', ') FROM pg_index i WHERE i.indrelid = t.oid)"
                + " FROM pg_class t WHERE t.oid = ?::regclass")) {
            ps.setString(1, table(id));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the sample table of dataset %d exists", id).isTrue();
                return "columns: " + rs.getString(1) + "; triggers: " + rs.getString(2) + "; indexes: "
                        + rs.getString(3);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Rounds of migrations, each struck by a fault

    /** One round: the command to run, where it goes, what the database held before, when to strike. */
    interface Round {
        void once(String[] command, String target, State before, Moment moment) throws Exception;
    }

    /**
     * Runs rounds until {@code wanted} faults struck a migrator: each round runs the other way
     * from the round before, or the same command again, which must take over what the struck one
     * left; the moment is drawn from the calibration. Returns the last command run.
     */
    String[] rounds(Random random, int wanted, String fault, Round round) throws Exception {
        int attempts = 0;
        boolean up = false;
        while (stats.faults < wanted) {
            attempts++;
            assertThat(attempts).as("too many runs finished before their %s: the delays are off", fault)
                    .isLessThanOrEqualTo(wanted * 3);
            up = random.nextBoolean() ? up : !up;
            State before = inspect();
            if (stepsLeft(before, up ? V4 : V1) == 0 && before.pending == null) {
                up = !up; // nothing left to do this way
            }
            String target = up ? V4 : V1;
            int steps = stepsLeft(before, target);
            long work = (long) (Math.max(0, (up ? upMillis : downMillis) - startMillis) * fractionLeft(before, target));
            Moment moment;
            int how = random.nextInt(4);
            if (how == 0 || steps == 0) {
                // while the JVM starts, connects, takes the lock and plans
                moment = Moment.after("start-up", (long) (random.nextDouble() * startMillis));
            } else if (how == 1) {
                // anywhere in what is left, up to a little past its end: mostly inside the big steps
                moment = Moment.after("timed", startMillis + (long) (random.nextDouble() * work * 1.15));
            } else {
                // just as a chosen step begins, or a little into it: reaches the small steps, the
                // database step and the very end as often as the big steps
                // (the last one, a third of the time: a downgrade's database step comes last)
                moment = Moment.atStep(random.nextInt(3) == 0 ? steps : 1 + random.nextInt(steps), random.nextInt(40));
            }
            round.once(up ? UP : DOWN, target, before, moment);
        }
        return up ? UP : DOWN;
    }

    /**
     * The same command as the last round's, run again to the end, finishes the job; then the way
     * back does too; after each, the samples read through the API are the ones written.
     */
    void finish(String[] last) throws Exception {
        String lastTarget = last == UP ? V4 : V1;
        runToCompletion(last, lastTarget);
        compareThroughTheApi(lastTarget);
        String otherTarget = last == UP ? V1 : V4;
        runToCompletion(last == UP ? DOWN : UP, otherTarget);
        compareThroughTheApi(otherTarget);
    }

    /** A fault that strikes a running migrator. */
    interface Fault {
        /** A word for messages and counts: "kill", "crash", "drop". */
        String name();

        /**
         * Strikes at the moment. {@code c} is a superuser connection to the test database, which
         * the fault may use (a server crash breaks it). Returns what it did, or null if there was
         * nothing to strike: the migrator ended first.
         */
        String strike(Process p, Connection c) throws Exception;

        /** Once struck: waits for the migrator to end and for the database to be reachable again. */
        void settle(Process p, Path output) throws Exception;

        /** Whether the fault kills the migrator itself, so that its exit status says nothing. */
        default boolean killsTheMigrator() {
            return false;
        }
    }

    /** What one struck run did: its exit status and output, and the state it left. */
    record Struck(String what, String strike, int exit, String output, State after) {
    }

    /**
     * Runs {@code command} in a JVM of its own, strikes it with the fault at the moment, and checks
     * what is left (see {@link #checkAfter}). A migrator that the fault does not kill must end by
     * itself: done (exit 0, and then everything is at the target), or failed cleanly (see
     * {@link #assertFailedCleanly}). Returns null if the run ended before the moment.
     */
    Struck faultOnce(String[] command, String target, State before, Moment moment, Fault fault) throws Exception {
        long maxId = maxHistoryId();
        Path out = Files.createTempFile(scratch, "migrate", ".txt");
        Process p = Processes.start(current, Map.of("CAIRN_DATABASE_ADMIN", "true"), out, command);
        String struck = null;
        try (Connection c = Backend.raw(current)) {
            if (moment.await(p, out, c, maxId)) {
                struck = fault.strike(p, c);
            }
        } catch (SQLException closing) {
            if (struck == null) {
                throw closing;
            }
            // closing a connection that the fault broke
        }
        String what = "cairn " + String.join(" ", command) + ", " + fault.name() + " at " + moment.describe()
                + (struck == null ? "" : " (" + struck + ")");
        stats.count("moment " + moment.describe().replaceAll(":.*", "").replaceAll("step \\d+", "step"));
        if (struck == null) {
            if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(what + ": did not end in " + PROCESS_TIMEOUT_SECONDS + " s\n" + Files.readString(out));
            }
            assertNoWait(what, Files.readString(out));
            stats.finishedFirst++;
            assertThat(p.exitValue()).as("cairn %s\n%s", String.join(" ", command), Files.readString(out)).isZero();
            assertFinished(checkAfter(what + " (finished first)", maxId, true), target, before);
            return null;
        }
        fault.settle(p, out);
        assertThat(p.isAlive()).as("%s: the migrator is gone", what).isFalse();
        String output = Files.readString(out);
        assertNoWait(what, output);
        stats.faults++;
        if (target.equals(V4)) {
            stats.upFaults++;
        } else {
            stats.downFaults++;
        }
        int exit = p.exitValue();
        boolean exited = !fault.killsTheMigrator();
        if (VERBOSE) {
            System.out.println(what + ": exit " + (exited ? exit : "(killed)") + "; " + output.lines()
                    .filter(l -> l.startsWith("cairn: ") || l.startsWith("The migration") || l.contains(" failed "))
                    .reduce((a, b) -> a + " | " + b).orElse("no message"));
        }
        State after = checkAfter(what, maxId, exited && exit == 0);
        assertThat(after.pending).as("%s: the recorded migration is the struck one's, or the one before it, or none",
                what).isIn(null, target, before.pending);
        if (exited) {
            if (exit == 0) {
                assertFinished(after, target, before);
                stats.count("exit 0");
            } else {
                assertFailedCleanly(what, exit, output, command);
                stats.count("exit " + exit);
            }
        }
        stats.count("db " + after.database);
        after.datasets.values().forEach(d -> stats.count(d.version));
        boolean moved = !after.database.equals(before.database) || after.datasets.values().stream()
                .anyMatch(d -> !d.version.equals(before.datasets.get(d.id).version));
        boolean all = after.database.equals(target)
                && after.datasets.values().stream().allMatch(d -> d.version.equals(target));
        stats.count(!moved ? "after: nothing moved yet" : all ? "after: all moved" : "after: half done");
        return new Struck(what, struck, exit, output, after);
    }

    /**
     * A migrator that a fault struck and that ended by itself without finishing the job: exit 1
     * (a step failed, the rest was not run) or 5 (the database went away), never "damaged" (6) nor
     * "refused" (3); a message in plain words that says the connection was lost (or the database
     * could not be reached) and, when steps were left undone, to run the same command again; no
     * stack trace, no "internal error".
     */
    static void assertFailedCleanly(String what, int exit, String output, String[] command) {
        assertThat(exit).as("%s: a migrator whose database went away exits with 1 (incomplete) or 5 (database"
                + " unreachable)\n%s", what, output).isIn(1, 5);
        assertThat(output).as("%s: no internal error, no stack trace", what)
                .doesNotContain("internal error").doesNotContain("Exception in thread").doesNotContain("\tat ");
        assertThat(output).as("%s: the message says what happened", what)
                .containsPattern("lost the connection to the database|cannot connect to the"
                        + "|the local database did not start");
        if (exit == 1) {
            assertThat(output).as("%s: an incomplete migration says so, and how to finish it", what)
                    .contains("is incomplete")
                    .contains("run the same command again: cairn " + String.join(" ", command));
        }
        assertThat(output.lines().filter(l -> l.startsWith("cairn: error: ") || l.startsWith("The migration to ")))
                .as("%s: one line says why it stopped\n%s", what, output).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------
    // Runs

    /** Runs the command to its end; checks that everything reached {@code target}, whole. */
    long runToCompletion(String[] command, String target) throws Exception {
        long maxId = maxHistoryId();
        State before = inspect();
        long t0 = System.nanoTime();
        Processes.Finished done = Processes.run(current, Map.of(), command);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(done.exit()).as("cairn %s\n%s", String.join(" ", command), done.output()).isZero();
        assertNoWait(String.join(" ", command), done.output());
        State s = checkAfter(String.join(" ", command), maxId, true);
        assertFinished(s, target, before);
        return millis;
    }

    /** The share of the work left to reach {@code target}: each dataset counts as its samples and 300 more. */
    private static double fractionLeft(State s, String target) {
        double total = 0;
        double left = 0;
        for (DatasetRow d : s.datasets.values()) {
            double weight = d.sampleCount + 300;
            total += weight;
            left += d.version.equals(target) ? 0 : weight;
        }
        return total == 0 ? 1 : left / total;
    }

    /**
     * Each run starts once what the run before left has ended, so it must never wait: not for the
     * migration lock, not for a dataset. A lock that outlived its dead holder would show here.
     * (Waiting for another process that is starting the local server is not waiting for a lock.)
     */
    static void assertNoWait(String what, String output) {
        assertThat(output.lines().filter(l -> l.startsWith("cairn: waiting")
                        && !l.startsWith("cairn: waiting for another Cairn process that is starting the local database")))
                .as("%s: a migrator that follows a dead one goes on at once\n%s", what, output).isEmpty();
    }

    /** How many steps a migration to {@code target} has left: the database's and each dataset's not there. */
    private static int stepsLeft(State s, String target) {
        return (s.database.equals(target) ? 0 : 1)
                + (int) s.datasets.values().stream().filter(d -> !d.version.equals(target)).count();
    }

    /** When to strike a migrator: after a delay, or when its n-th step has begun (and a little more). */
    interface Moment {
        /** Waits for the moment; false if the process ended before it. */
        boolean await(Process p, Path output, Connection c, long historyBefore) throws Exception;

        String describe();

        static Moment after(String kind, long millis) {
            return new Moment() {
                @Override
                public boolean await(Process p, Path output, Connection c, long historyBefore)
                        throws InterruptedException {
                    return !p.waitFor(millis, TimeUnit.MILLISECONDS);
                }

                @Override
                public String describe() {
                    return kind + ": " + millis + " ms after it started";
                }
            };
        }

        static Moment atStep(int step, long jitterMillis) {
            return new Moment() {
                @Override
                public boolean await(Process p, Path output, Connection c, long historyBefore) throws Exception {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_SECONDS);
                    while (p.isAlive()) {
                        if (stepsBegun(c, historyBefore) >= step) {
                            return !p.waitFor(jitterMillis, TimeUnit.MILLISECONDS);
                        }
                        assertNoWait("cairn migrate, before its step " + step, Files.readString(output));
                        if (System.nanoTime() > deadline) {
                            fail("step " + step + " of the migration did not begin in " + PROCESS_TIMEOUT_SECONDS
                                    + " s: is the database still locked?\n" + Files.readString(output));
                        }
                        Thread.sleep(3);
                    }
                    return false;
                }

                @Override
                public String describe() {
                    return "step " + step + ": " + jitterMillis + " ms after it began";
                }
            };
        }
    }

    // ---------------------------------------------------------------------------------------
    // Checks

    /**
     * Everything checked after a run ended, struck or not: first that the database is not locked,
     * then that every dataset and the database are whole at one of their versions.
     */
    State checkAfter(String what, long historyBefore, boolean clean) throws Exception {
        // cairn migrate --info answers at once, while what the dead migrator left may still be ending
        assertInfoAnswers(what);
        long released = awaitSessionsAndLocksGone(current, what);
        stats.slowestRelease = Math.max(stats.slowestRelease, released);
        try (Connection c = Backend.raw(current); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + Records.MIGRATE_DATABASE_LOCK + ")")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("%s: a new migrator takes the migration lock at once", what).isTrue();
            }
            s.execute("SELECT pg_advisory_unlock(" + Records.MIGRATE_DATABASE_LOCK + ")");
        }
        State state = inspect();
        assertWhole(state, what);
        checkCutSteps(state, historyBefore, what, clean);
        assertInfoMatches(state, what);
        return state;
    }

    private void assertInfoAnswers(String what) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Cli.Result> info = ex.submit(() -> Cli.run(current, "migrate", "--info"));
            Cli.Result r;
            try {
                r = info.get(INFO_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                info.cancel(true);
                throw new AssertionError(what + ": 'cairn migrate --info' did not answer in " + INFO_TIMEOUT_SECONDS
                        + " s: something is left locked", e);
            }
            assertThat(r.exit()).as("%s: cairn migrate --info\n%s", what, r).isZero();
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * Waits until no session but this one is connected to the test database and no advisory lock
     * is held in it: a dead migrator's sessions end when PostgreSQL sees its sockets close (a
     * statement under way first runs to its end). Returns how long that took.
     */
    static long awaitSessionsAndLocksGone(CairnConfig config, String what) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            while (true) {
                List<String> left = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT 'session ' || a.pid || ' (' || a.state || ': '"
                        + " || left(a.query, 80) || ')' FROM pg_stat_activity a WHERE a.datname = current_database()"
                        + " AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()"
                        + " UNION ALL SELECT 'advisory lock ' || l.classid || '/' || l.objid || ' held by ' || l.pid"
                        + " FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory'"
                        + " AND d.datname = current_database()")) {
                    while (rs.next()) {
                        left.add(rs.getString(1));
                    }
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                if (left.isEmpty()) {
                    return millis;
                }
                if (millis > LOCK_RELEASE_TIMEOUT_MILLIS) {
                    fail(what + ": " + millis + " ms after the migrator died, its sessions and locks are still there: "
                            + left);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Every dataset and the database at {@code target}, nothing pending. */
    void assertFinished(State s, String target, State before) {
        assertThat(s.database).as("the database reached %s", target).isEqualTo(target);
        assertThat(s.datasets.values()).as("every dataset reached %s", target)
                .allSatisfy(d -> assertThat(d.version).as(d.name).isEqualTo(target));
        assertThat(s.pending).as("no migration is recorded as pending once it finished").isNull();
        if (target.equals(V1)) {
            assertThat(s.pinned).as("an explicit downgrade pins the database").isTrue();
        } else if (before.database.equals(V1)) {
            assertThat(s.pinned).as("an explicit upgrade of the database unpins it").isFalse();
        }
    }

    /**
     * The history entries the run left open are the steps the fault cut: each one's target must be
     * at its old version (the transaction rolled back) or its new one (it committed just before
     * the fault), and nothing else.
     */
    private void checkCutSteps(State s, long historyBefore, String what, boolean clean) throws SQLException {
        try (Connection c = Backend.raw(current);
             PreparedStatement ps = c.prepareStatement("SELECT dataset_id, from_version, to_version, outcome FROM"
                     + " cairn.history WHERE id > ? ORDER BY id")) {
            ps.setLong(1, historyBefore);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String outcome = rs.getString(4);
                    if (clean) {
                        assertThat(outcome).as("%s: a run that finished closes every history entry", what)
                                .isIn("ok", "skipped");
                        continue;
                    }
                    if (!outcome.equals("running")) {
                        assertThat(outcome).as("%s: a step's recorded outcome", what).isIn("ok", "skipped");
                        continue;
                    }
                    long dataset = rs.getLong(1);
                    boolean database = rs.wasNull();
                    String from = rs.getString(2);
                    String to = rs.getString(3);
                    String now = database ? s.database : s.datasets.get(dataset).version;
                    assertThat(now).as("%s: the %s whose step %s -> %s was cut is at one end of it", what,
                            database ? "database" : "dataset " + names.get(dataset), from, to).isIn(from, to);
                    stats.count(database ? "cut database" : now.equals(from) ? "cut rolled back" : "cut committed");
                }
            }
        }
    }

    /** What {@code cairn migrate --info --json} says is what the database holds; no migration under way. */
    private void assertInfoMatches(State s, String what) throws Exception {
        Cli.Result r = Cli.run(current, "migrate", "--info", "--json");
        assertThat(r.exit()).as("%s: %s", what, r).isZero();
        JsonNode info = JSON.readTree(r.out());
        JsonNode db = info.path("database_state");
        assertThat(db.path("version").asText()).as(what).isEqualTo(s.database);
        if (s.pending == null) {
            assertThat(db.has("migration")).as("%s: --info shows no migration\n%s", what, r.out()).isFalse();
        } else {
            assertThat(db.path("migration").path("state").asText()).as("%s: the dead migrator's migration shows as"
                    + " interrupted\n%s", what, r.out()).isEqualTo("interrupted");
            assertThat(db.path("migration").path("target").asText()).as(what).isEqualTo(s.pending);
        }
        Map<String, String> shown = new TreeMap<>();
        info.path("datasets").forEach(d -> shown.put(d.path("name").asText(), d.path("version").asText()));
        Map<String, String> held = new TreeMap<>();
        s.datasets.values().forEach(d -> held.put(d.name, d.version));
        assertThat(shown).as("%s: --info shows every dataset at its version", what).isEqualTo(held);
        assertThat(info.path("datasets").findValuesAsText("status")).as(what)
                .noneMatch(st -> st.startsWith("migrating now"));
    }

    /** The samples read through the API of the client of the version reached are the ones written at the start. */
    void compareThroughTheApi(String version) {
        try (Cairn cairn = Cairn.open(version.equals(V1) ? old : current)) {
            assertThat(cairn.workingVersion()).hasToString(version);
            for (Map.Entry<String, List<Sample>> e : originals.entrySet()) {
                Map<String, Sample> want = new TreeMap<>();
                e.getValue().forEach(x -> want.put(x.id(), x));
                Map<String, Sample> have = new TreeMap<>();
                try (Stream<Sample> all = cairn.dataset(e.getKey()).stream()) {
                    all.forEach(x -> have.put(x.id(), x));
                }
                assertThat(have).as("dataset %s read back at %s", e.getKey(), version).isEqualTo(want);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // What the database holds

    record DatasetRow(long id, String name, String version, String minClient, long sampleCount,
                      Set<String> detectionFields) {
    }

    record State(String database, String minClient, String pending, boolean pendingLive, boolean pinned,
                 boolean savedViews, Map<Long, DatasetRow> datasets, Set<String> dataTables,
                 Set<String> dataFunctions) {
    }

    State inspect() throws SQLException {
        try (Connection c = Backend.raw(current); Statement s = c.createStatement()) {
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
            return new State(database, minClient, pending, live, pinned, views, datasets, tables, functions);
        }
    }

    /** Invariants 1, 3 and 4, as the database holds them now. */
    private void assertWhole(State s, String what) throws SQLException {
        assertThat(s.database).as("%s: the database is at its old or its new version", what).isIn(V1, V4);
        assertThat(s.minClient).as("%s: the database records the oldest client of its version", what)
                .isEqualTo(databaseMinClient.getOrDefault(s.database, s.minClient));
        databaseMinClient.putIfAbsent(s.database, s.minClient);
        assertThat(s.savedViews).as("%s: the saved views table exists exactly when the database is at 0.3.0 or"
                + " above (it is at %s)", what, s.database).isEqualTo(s.database.equals(V4));
        assertThat(s.pendingLive).as("%s: no migration is under way once its migrator is dead", what).isFalse();
        assertThat(s.datasets.keySet()).as("%s: no dataset lost or added", what).isEqualTo(expected.keySet());
        Set<String> tables = new TreeSet<>();
        s.datasets.keySet().forEach(id -> tables.add("samples_" + id + ":r"));
        assertThat(s.dataTables).as("%s: the sample tables are the datasets', nothing half-built beside them", what)
                .isEqualTo(tables);
        Set<String> functions = new TreeSet<>();
        s.datasets.values().stream().filter(d -> d.version.equals(V4))
                .forEach(d -> functions.add("samples_" + d.id + "_touch"));
        assertThat(s.dataFunctions).as("%s: the trigger functions of 0.2.0 are there for the datasets at 0.4.0, and"
                + " only for them", what).isEqualTo(functions);
        try (Connection c = Backend.raw(current)) {
            for (DatasetRow d : s.datasets.values()) {
                String label = what + ": dataset " + d.name + " (at " + d.version + ")";
                assertThat(d.name).as(label).isEqualTo(names.get(d.id));
                assertThat(d.version).as("%s: a dataset step is one transaction: old or new version, never between",
                        label).isIn(V1, V4);
                assertThat(!d.version.equals(V1) && s.database.equals(V1))
                        .as("%s: a dataset is never ahead of its database (at %s)", label, s.database).isFalse();
                assertThat(d.minClient).as(label).isEqualTo(datasetMinClient.getOrDefault(d.version, d.minClient));
                datasetMinClient.putIfAbsent(d.version, d.minClient);
                Map<Long, String> knownShapes = shapes.computeIfAbsent(d.version, k -> new TreeMap<>());
                String shape = shape(c, d.id);
                if (knownShapes.containsKey(d.id)) {
                    assertThat(shape).as("%s: the sample table is laid out as its version has it", label)
                            .isEqualTo(knownShapes.get(d.id));
                } else {
                    knownShapes.put(d.id, shape);
                }
                Content want = expected.get(d.id).get(d.version);
                Raw raw = rawContent(c, d.id, d.version.equals(V4));
                stats.samplesChecked += raw.samples();
                stats.lostOrDoubled += Math.abs(raw.samples() - want.samples);
                assertThat(raw.samples()).as("%s: no sample lost or doubled", label).isEqualTo(want.samples);
                assertThat(d.sampleCount).as("%s: the recorded sample count", label).isEqualTo(want.samples);
                assertThat(raw.dated()).as("%s: samples stored before 0.2.0 have no known creation time", label)
                        .isZero();
                // the stored text, digested in SQL, is compared value for value only when it is new
                Set<String> good = goodRaw.computeIfAbsent(d.id + " " + d.version, k -> new TreeSet<>());
                if (!good.contains(raw.digest())) {
                    Content have = content(c, d, false);
                    assertThat(have.samples).as("%s: no sample lost or doubled", label).isEqualTo(want.samples);
                    assertThat(have.digest).as("%s: its content is the known-good copy of its version", label)
                            .isEqualTo(want.digest);
                    good.add(raw.digest());
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    /** Waits until a session of the configuration's database matches {@code condition} on pg_stat_activity. */
    static void awaitSession(CairnConfig config, String condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_SECONDS);
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                        + " current_database() AND pid <> pg_backend_pid() AND " + condition)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        fail("no session of the database came to " + condition + " in " + PROCESS_TIMEOUT_SECONDS + " s");
    }

    static long datasetId(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM cairn.datasets WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("there is a dataset %s", name).isTrue();
                return rs.getLong(1);
            }
        }
    }

    /** One of the migrator's sessions, as pg_stat_activity shows it. */
    record Session(int pid, String state, boolean holdsMigrationLock, String query) {
        @Override
        public String toString() {
            return pid + " (" + state + (holdsMigrationLock ? ", holding the migration lock" : "") + ": " + query + ")";
        }
    }

    /** The sessions of Cairn clients (application name "cairn RELEASE") connected to the test database. */
    static List<Session> migratorSessions(Connection c) throws SQLException {
        List<Session> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, coalesce(a.state, ''), EXISTS (SELECT 1 FROM"
                + " pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ?), left(a.query, 60) FROM pg_stat_activity a"
                + " WHERE a.datname = current_database() AND a.application_name LIKE 'cairn %'"
                + " AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() ORDER BY a.pid")) {
            ps.setLong(1, Records.MIGRATE_DATABASE_LOCK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Session(rs.getInt(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    static boolean terminate(Connection c, int pid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * After a fault cut the step of dataset a (the database's step done, b not begun): both
     * datasets are at 0.1.0, the database at 0.4.0, --info shows the migration interrupted at
     * a, and the same command finishes it and clears its record.
     */
    static void assertStepOfACutAndTheSameCommandFinishes(CairnConfig config) throws Exception {
        assertThat(Queries.datasetVersion(config, "a")).isEqualTo(V1);
        assertThat(Queries.datasetVersion(config, "b")).isEqualTo(V1);
        JsonNode info = JSON.readTree(Cli.run(config, "migrate", "--info", "--json").out());
        assertThat(info.path("database_state").path("version").asText()).isEqualTo(V4);
        assertThat(info.path("database_state").path("migration").path("state").asText()).isEqualTo("interrupted");
        assertThat(info.path("interrupted").findValuesAsText("dataset")).containsExactly("a");

        Cli.Result again = Cli.run(config, "migrate", "--all");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(Queries.datasetVersion(config, "a")).isEqualTo(V4);
        assertThat(Queries.datasetVersion(config, "b")).isEqualTo(V4);
        info = JSON.readTree(Cli.run(config, "migrate", "--info", "--json").out());
        assertThat(info.path("database_state").has("migration")).isFalse();
    }

    /** A fresh database with datasets a and b, one sample each, written by release 0.1.0. */
    static CairnConfig twoDatasetsAt010() {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config.toBuilder().clientRelease(V1).build())) {
            cairn.create("a").add(Sample.of("/data/a.jpg"));
            cairn.create("b").add(Sample.of("/data/b.jpg"));
        }
        return config;
    }

    /**
     * A reader's long transaction on a dataset's sample table: a migrator's step on that dataset
     * waits for it (in a lock wait that pg_stat_activity shows) until the connection rolls back.
     */
    static Connection blockDataset(CairnConfig config, String dataset) throws SQLException {
        Connection c = Backend.raw(config);
        try (Statement s = c.createStatement()) {
            long id = datasetId(c, dataset);
            c.setAutoCommit(false);
            s.execute("LOCK TABLE " + table(id) + " IN ACCESS SHARE MODE");
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
    private static long stepsBegun(Connection c, long historyBefore) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM cairn.history WHERE id > ?")) {
            ps.setLong(1, historyBefore);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    long maxHistoryId() throws SQLException {
        try (Connection c = Backend.raw(current); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM cairn.history")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String table(long id) {
        return "cairn_data.\"samples_" + id + "\"";
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the faults hit, for the summary lines. */
    static final class Stats {
        int faults;
        int upFaults;
        int downFaults;
        int finishedFirst;
        long samples;
        /** Samples counted in the checks after each run, and how many of them were missing or extra (must be 0). */
        long samplesChecked;
        long lostOrDoubled;
        long slowestRelease;
        /** The longest a migrator took to end by itself after a fault, in ms. */
        long slowestExit;
        final Map<String, Integer> seen = new TreeMap<>();

        void count(String what) {
            seen.merge(what, 1, Integer::sum);
        }

        int seen(String what) {
            return seen.getOrDefault(what, 0);
        }

        /** Every count whose key starts with {@code prefix}, as "key-rest xN, ...". */
        String seenStartingWith(String prefix) {
            StringBuilder out = new StringBuilder();
            seen.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.append(out.length() == 0 ? "" : ", ").append(k.substring(prefix.length())).append(" x")
                            .append(v);
                }
            });
            return out.length() == 0 ? "none" : out.toString();
        }
    }
}
