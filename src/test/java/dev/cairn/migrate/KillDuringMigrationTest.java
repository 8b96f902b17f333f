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
import org.junit.jupiter.api.Test;

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
 * Invariants 3 and 6, the hard way: {@code cairn migrate --all} (up to 0.4.0) and
 * {@code cairn migrate --all -v 0.1.0} (down) run in a JVM of their own and are killed with
 * SIGKILL at random moments, from before they connect to the end of their last step. After every
 * kill, each dataset must be whole at 0.1.0 or at 0.4.0, its samples exactly the known-good copy
 * for that version (none lost, none doubled, boxes in the layout of the version), no dataset
 * ahead of the database, and no lock left behind: the dead migrator's advisory lock is gone, a
 * new migrator takes it at once and {@code cairn migrate --info} answers. Running the same command
 * again then finishes the job.
 *
 * <p>{@code -Dcairn.test.kills=N} asks for N kills (default 20); {@code -Dcairn.test.kill.seed=S}
 * replays a run (the seed is printed).
 */
class KillDuringMigrationTest {

    private static final int KILLS = Integer.getInteger("cairn.test.kills", 20);
    private static final String V1 = "0.1.0";
    private static final String V4 = "0.4.0";
    private static final String[] UP = {"migrate", "--all"};
    private static final String[] DOWN = {"migrate", "--all", "-v", V1};

    /** Generous for a 2-core machine that runs other builds at the same time. */
    private static final long PROCESS_TIMEOUT_SECONDS = 300;
    private static final long LOCK_RELEASE_TIMEOUT_MILLIS = 60_000;
    private static final long INFO_TIMEOUT_SECONDS = 60;

    /** Reads fractions as exact decimals, so that boxes can be turned into corners as Cairn must. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private CairnConfig current;
    private CairnConfig old;
    private Path scratch;
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
    private final Stats stats = new Stats();

    @Test
    void sigkillAtRandomMomentsLeavesEveryDatasetWholeAndNoLockBehind() throws Exception {
        long began = System.nanoTime();
        long seed = Long.getLong("cairn.test.kill.seed", new Random().nextLong());
        Random random = new Random(seed);
        current = Backend.freshBuilder().admin(true).build();
        old = current.toBuilder().clientRelease(V1).build();
        scratch = Backend.scratch("kill");

        createDatasetsAsRelease010(random);
        State start = inspect();
        assertThat(start.database).isEqualTo(V1);
        recordKnownGood(start);

        // Calibration: the start-up cost (a --plan, which must change nothing), then one clean run
        // each way, timed; each must end exactly at the known-good copies.
        String unchanged = Backend.checksum(current);
        long t0 = System.nanoTime();
        Processes.Finished plan = Processes.run(current, Map.of(), "migrate", "--all", "--plan");
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(plan.exit()).as(plan.output()).isZero();
        assertThat(Backend.checksum(current)).as("--plan changes nothing").isEqualTo(unchanged);
        long upMillis = runToCompletion(UP, V4);
        long downMillis = runToCompletion(DOWN, V1);

        int attempts = 0;
        boolean up = false;
        while (stats.kills < KILLS) {
            attempts++;
            assertThat(attempts).as("too many runs finished before their kill: the kill delays are off")
                    .isLessThanOrEqualTo(KILLS * 3);
            // the other way from the run before, or the same command again, which must take over
            // what the killed one left
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
            killOnce(up ? UP : DOWN, target, before, moment);
        }
        String[] last = up ? UP : DOWN;

        // The same command, run again to the end, finishes the job; then the way back does too.
        String lastTarget = last == UP ? V4 : V1;
        runToCompletion(last, lastTarget);
        compareThroughTheApi(lastTarget);
        String otherTarget = last == UP ? V1 : V4;
        runToCompletion(last == UP ? DOWN : UP, otherTarget);
        compareThroughTheApi(otherTarget);

        System.out.println(String.format("KillDuringMigrationTest [%s, seed %d]: %d kills (%d up, %d down) on %d"
                        + " datasets / %d samples; %d runs finished before their kill; kill moments: start-up x%d,"
                        + " timed x%d, at a step x%d; after the kills the database was at 0.1.0 x%d, 0.4.0 x%d and"
                        + " datasets at 0.1.0 x%d, 0.4.0 x%d; nothing moved yet x%d, half done x%d, all moved x%d;"
                        + " steps cut: dataset rolled back x%d, dataset committed before its history entry closed x%d,"
                        + " database x%d; locks gone within %d ms; stored text forms at 0.1.0: %s, at 0.4.0: %s;"
                        + " clean runs up %d ms, down %d ms, start-up %d ms; %d s in all",
                Backend.name(), seed, stats.kills, stats.upKills, stats.downKills, names.size(), stats.samples,
                stats.finishedFirst, stats.seen("moment start-up"), stats.seen("moment timed"),
                stats.seen("moment step"),
                stats.seen("db " + V1), stats.seen("db " + V4), stats.seen(V1), stats.seen(V4),
                stats.seen("kill: nothing moved yet"), stats.seen("kill: half done"), stats.seen("kill: all moved"),
                stats.seen("cut rolled back"), stats.seen("cut committed"), stats.seen("cut database"),
                stats.slowestRelease, rawForms(V1), rawForms(V4), upMillis, downMillis, startMillis,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)));
    }

    // ---------------------------------------------------------------------------------------
    // The datasets, as release 0.1.0 writes them

    private void createDatasetsAsRelease010(Random random) {
        List<String> datasetNames = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            datasetNames.add(String.format("kill-%02d", i));
        }
        datasetNames.add("l'été \"quoted\" ✓");
        datasetNames.add("empty");
        try (Cairn cairn = Cairn.open(old)) {
            assertThat(cairn.workingVersion()).hasToString(V1);
            for (int i = 0; i < datasetNames.size(); i++) {
                String name = datasetNames.get(i);
                // three big ones, so that kills land inside their steps as well as between steps
                int size = name.equals("empty") ? 0 : i % 5 == 2 ? 6_000 : 150 + random.nextInt(250);
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
    private String rawForms(String version) {
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
    // Runs and kills

    /** Runs the command to its end; checks that everything reached {@code target}, whole. */
    private long runToCompletion(String[] command, String target) throws Exception {
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
     * migration lock, not for a dataset. A lock that outlived its killed holder would show here.
     */
    private static void assertNoWait(String what, String output) {
        assertThat(output).as("%s: a migrator that follows a dead one goes on at once", what)
                .doesNotContain("cairn: waiting");
    }

    /** How many steps a migration to {@code target} has left: the database's and each dataset's not there. */
    private static int stepsLeft(State s, String target) {
        return (s.database.equals(target) ? 0 : 1)
                + (int) s.datasets.values().stream().filter(d -> !d.version.equals(target)).count();
    }

    /** When to kill a migrator: after a delay, or when its n-th step has begun (and a little more). */
    private interface Moment {
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

    private void killOnce(String[] command, String target, State before, Moment moment) throws Exception {
        long maxId = maxHistoryId();
        Path out = Files.createTempFile(scratch, "migrate", ".txt");
        Process p = Processes.start(current, Map.of("CAIRN_DATABASE_ADMIN", "true"), out, command);
        boolean reached;
        try (Connection c = Backend.raw(current)) {
            reached = moment.await(p, out, c, maxId);
        }
        String what = "cairn " + String.join(" ", command) + " killed at " + moment.describe();
        stats.count("moment " + moment.describe().replaceAll(":.*", "").replaceAll("step \\d+", "step"));
        if (!reached) {
            assertThat(p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertNoWait(what, Files.readString(out));
            stats.finishedFirst++;
            assertThat(p.exitValue()).as("cairn %s\n%s", String.join(" ", command), Files.readString(out)).isZero();
            assertFinished(checkAfter(what + " (finished first)", maxId, true), target, before);
            return;
        }
        p.destroyForcibly();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the killed JVM is gone").isTrue();
        assertNoWait(what, Files.readString(out));
        stats.kills++;
        if (target.equals(V4)) {
            stats.upKills++;
        } else {
            stats.downKills++;
        }
        State after = checkAfter(what, maxId, false);
        assertThat(after.pending).as("%s: the recorded migration is the killed one's, or the one before it, or none",
                what).isIn(null, target, before.pending);
        stats.count("db " + after.database);
        after.datasets.values().forEach(d -> stats.count(d.version));
        boolean moved = !after.database.equals(before.database) || after.datasets.values().stream()
                .anyMatch(d -> !d.version.equals(before.datasets.get(d.id).version));
        boolean all = after.database.equals(target)
                && after.datasets.values().stream().allMatch(d -> d.version.equals(target));
        stats.count(!moved ? "kill: nothing moved yet" : all ? "kill: all moved" : "kill: half done");
    }

    /**
     * Everything checked after a run ended, killed or not: first that the database is not locked,
     * then that every dataset and the database are whole at one of their versions.
     */
    private State checkAfter(String what, long historyBefore, boolean clean) throws Exception {
        // cairn migrate --info answers at once, while what the killed JVM left may still be ending
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
     * is held in it: the killed JVM's sessions end when PostgreSQL sees its sockets close (a
     * statement under way first runs to its end). Returns how long that took.
     */
    private static long awaitSessionsAndLocksGone(CairnConfig config, String what) throws Exception {
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

    // ---------------------------------------------------------------------------------------
    // What the database holds

    private record DatasetRow(long id, String name, String version, String minClient, long sampleCount,
                              Set<String> detectionFields) {
    }

    private record State(String database, String minClient, String pending, boolean pendingLive, boolean pinned,
                         boolean savedViews, Map<Long, DatasetRow> datasets, Set<String> dataTables,
                         Set<String> dataFunctions) {
    }

    private State inspect() throws SQLException {
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

    /** Every dataset and the database at {@code target}, nothing pending. */
    private void assertFinished(State s, String target, State before) {
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
     * The history entries the run left open are the steps the kill cut: each one's target must be
     * at its old version (the transaction rolled back) or its new one (it committed just before
     * the kill), and nothing else.
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
    private void compareThroughTheApi(String version) {
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
    // Bugs the kills showed (now fixed), each reproduced without chance.

    @Test
    void anUpgradeAfterAKilledDowngradeLeavesTheDatabaseUnpinned() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config)) {
            cairn.create("a");
            cairn.create("b");
        }
        killWhileWaitingForDataset(config, "a", "migrate", "--all", "-v", V1);

        Cli.Result up = Cli.run(config, "migrate", "--all");
        assertThat(up.exit()).as(up.toString()).isZero();
        JsonNode db = JSON.readTree(Cli.run(config, "migrate", "--info", "--json").out()).path("database_state");
        assertThat(db.path("version").asText()).isEqualTo(V4);
        assertThat(db.has("migration")).isFalse();
        assertThat(db.path("pinned").asBoolean())
                .as("the database never went down, and the admin has since run 'cairn migrate --all' up: it is not"
                        + " 'pinned by an explicit downgrade'").isFalse();
    }

    @Test
    void infoStopsListingAnInterruptedStepOnceTheSameCommandFinishedIt() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config.toBuilder().clientRelease(V1).build())) {
            cairn.create("a");
        }
        killWhileWaitingForDataset(config, "a", "migrate", "--all");

        Cli.Result again = Cli.run(config, "migrate", "--all");
        assertThat(again.exit()).as(again.toString()).isZero();
        JsonNode json = JSON.readTree(Cli.run(config, "migrate", "--info", "--json").out());
        assertThat(json.path("datasets").findValuesAsText("version")).containsExactly(V4);
        assertThat(json.path("database_state").has("migration")).isFalse();
        assertThat(Cli.run(config, "migrate", "--info").out()).as("the job is done: nothing is left to finish")
                .doesNotContain("run the command again");
        assertThat(json.path("interrupted")).isEmpty();
    }

    @Test
    void aStepThatCommittedIsNotReportedAsInterrupted() throws Exception {
        CairnConfig config = Backend.fresh();
        try (Cairn cairn = Cairn.open(config.toBuilder().clientRelease(V1).build())) {
            cairn.create("a");
        }
        try (Connection c = Backend.raw(config); Statement s = c.createStatement()) {
            // widens the window the random kills hit now and then: committing a dataset's new
            // version takes 3 s (as a slow disk's fsync would), and the kill lands in it
            s.execute("CREATE FUNCTION public.kill_test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$BEGIN PERFORM pg_sleep(3); RETURN NULL; END$$");
            s.execute("CREATE CONSTRAINT TRIGGER kill_test_slow_commit AFTER UPDATE ON cairn.datasets DEFERRABLE"
                    + " INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version IS DISTINCT FROM OLD.version)"
                    + " EXECUTE FUNCTION public.kill_test_slow_commit()");
        }
        Process p = Processes.start(config, Map.of(), Files.createTempFile(Backend.scratch("kill"), "up", ".txt"),
                "migrate", "--all");
        awaitSession(config, "wait_event = 'PgSleep'");
        p.destroyForcibly();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        awaitSessionsAndLocksGone(config, "the slow commit");

        try (Connection c = Backend.raw(config); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM cairn.datasets WHERE name = 'a'")) {
            rs.next();
            assertThat(rs.getString(1)).as("the step committed before the kill took effect").isEqualTo(V4);
        }
        JsonNode history = JSON.readTree(Cli.run(config, "migrate", "--history", "--json").out());
        assertThat(history).filteredOn(h -> "a".equals(h.path("dataset").asText()))
                .extracting(h -> h.path("outcome").asText())
                .as("the history of a step whose work was kept").containsExactly("ok");
        assertThat(Cli.run(config, "migrate", "--info").out()).doesNotContain("nothing of them was kept");
    }

    /**
     * Starts {@code cairn ARGS}, lets it block on a lock this test holds on a dataset's sample
     * table (as a reader's long transaction would), kills it there, then lets go of the lock and
     * waits until the killed migrator's sessions are gone.
     */
    private static void killWhileWaitingForDataset(CairnConfig config, String dataset, String... args)
            throws Exception {
        try (Connection blocker = Backend.raw(config); Statement s = blocker.createStatement()) {
            long id;
            try (ResultSet rs = s.executeQuery("SELECT id FROM cairn.datasets WHERE name = '" + dataset + "'")) {
                assertThat(rs.next()).isTrue();
                id = rs.getLong(1);
            }
            blocker.setAutoCommit(false);
            s.execute("LOCK TABLE " + table(id) + " IN ACCESS SHARE MODE");
            Process p = Processes.start(config, Map.of(), Files.createTempFile(Backend.scratch("kill"), "blocked",
                    ".txt"), args);
            awaitSession(config, "wait_event_type = 'Lock'");
            p.destroyForcibly();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            blocker.rollback();
        }
        awaitSessionsAndLocksGone(config, "cairn " + String.join(" ", args) + " killed while it waited");
    }

    /** Waits until a session of the configuration's database matches {@code condition} on pg_stat_activity. */
    private static void awaitSession(CairnConfig config, String condition) throws Exception {
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

    // ---------------------------------------------------------------------------------------

    private static long stepsBegun(Connection c, long historyBefore) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM cairn.history WHERE id > ?")) {
            ps.setLong(1, historyBefore);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long maxHistoryId() throws SQLException {
        try (Connection c = Backend.raw(current); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM cairn.history")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String table(long id) {
        return "cairn_data.\"samples_" + id + "\"";
    }

    private static JsonNode parse(String json) {
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

    /** What the kills hit, for the summary line. */
    private static final class Stats {
        int kills;
        int upKills;
        int downKills;
        int finishedFirst;
        long samples;
        long slowestRelease;
        final Map<String, Integer> seen = new TreeMap<>();

        void count(String what) {
            seen.merge(what, 1, Integer::sum);
        }

        int seen(String what) {
            return seen.getOrDefault(what, 0);
        }
    }
}
