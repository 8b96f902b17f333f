package dev.cairn.bench;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Classification;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.Feedback;
import dev.cairn.api.Metadata;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.json.Json;
import dev.cairn.localserver.EmbeddedServer;
import dev.cairn.model.CairnModel;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Postgres;
import dev.cairn.testing.Backend;
import org.postgresql.PGConnection;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import static dev.cairn.testing.Revisions.renameFieldInSchema;


/**
 * Cairn's benchmark: builds its data on a fresh embedded database, measures each figure of the
 * migrations-at-the-speed-of-the-database issue, and prints it with the ratio to its floor,
 * measured in the same run. Run it with {@code ./bench} (see BENCHMARKS.md); {@code ./bench
 * --small} runs every measurement on a tenth of the data, to check that it works.
 */
public final class Benchmark {

    private static final Version V040 = Version.parse("0.4.0");
    private static final Version V090 = Version.parse("0.9.0");
    private static final String RENAME = "fields = (fields - 'old') || jsonb_build_object('new', fields -> 'old')";
    private static final String RENAME_BACK = "fields = (fields - 'new') || jsonb_build_object('old', fields -> 'new')";

    private final int big;
    private final int datasets;
    private final int perDataset;
    private final int manyDatasets;
    private final CairnConfig config;
    private final DataModel model = model();
    private final List<String> results = new ArrayList<>();
    private final Path dir;

    private Benchmark(boolean small, Path home) throws Exception {
        this.big = small ? 100_000 : 1_000_000;
        this.datasets = small ? 100 : 1_000;
        this.perDataset = 1_000;
        this.manyDatasets = small ? 1_000 : 10_000;
        this.dir = home.resolve("work");
        Files.createDirectories(dir);
        this.config = CairnConfig.builder().home(home).admin(true).poolSize(12).build();
    }

    /**
     * Cairn's shipped data model and one revision of the kind the issue asks to measure: a
     * rename of a key in every sample's fields (and in the schema), set-based.
     */
    static DataModel model() {
        List<Revision> revisions = new ArrayList<>(CairnModel.shipped().revisions());
        revisions.add(Revision.dataset("0.9.0", "benchmark: the field 'old' is renamed 'new'").compatible(false)
                .up(ctx -> {
                    ctx.updateSamples(RENAME, "fields -> 'old' IS NOT NULL");
                    renameFieldInSchema(ctx, "old", "new");
                })
                .down(ctx -> {
                    ctx.updateSamples(RENAME_BACK, "fields -> 'new' IS NOT NULL");
                    renameFieldInSchema(ctx, "new", "old");
                }).build());
        List<Release> releases = new ArrayList<>(CairnModel.shipped().releases());
        releases.add(Release.of("0.9.0", "0.9.0"));
        return DataModel.of(revisions, releases);
    }

    /** The measurements, in the order they run (later ones use data the earlier ones built); {@code --only} takes their names. */
    private enum Section {
        RENAME(Benchmark::renameOneBigDataset),
        MIGRATE(Benchmark::migrateAllOfManyDatasets),
        LOAD(Benchmark::loadUpToDate),
        IMPORT(Benchmark::importVersusCopy),
        INFO(Benchmark::infoOnManyDatasets),
        SHELL(Benchmark::infoFromTheShell),
        STARTUP(Benchmark::startup);

        private interface Measure {
            void run(Benchmark b) throws Exception;
        }

        private final Measure measure;

        Section(Measure measure) {
            this.measure = measure;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        boolean small = a.contains("--small");
        List<String> names = java.util.Arrays.stream(Section.values()).map(Section::label).toList();
        List<String> only = names;
        int at = a.indexOf("--only");
        if (at >= 0) {
            only = at + 1 < a.size() ? List.of(a.get(at + 1).split(",")) : List.of();
            if (only.isEmpty() || !names.containsAll(only)) {
                System.err.println("bench: --only takes a comma-separated list of " + String.join(", ", names));
                System.exit(2);
            }
        }
        Path home = Backend.build().resolve("bench-home");
        deleteTree(home);
        Benchmark b = new Benchmark(small, home);
        try {
            b.run(only);
        } finally {
            Postgres.embeddedServer(b.config).stop();
        }
    }

    private void run(List<String> only) throws Exception {
        System.out.println("Cairn benchmark on the embedded PostgreSQL (" + (big == 1_000_000 ? "full" : "small") + " run), "
                + Runtime.getRuntime().availableProcessors() + " processors");
        try (Migrations m = Migrations.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            m.migrate(MigrationRequest.database());
        }
        for (Section section : Section.values()) {
            if (only.contains(section.label())) {
                section.measure.run(this);
            }
        }
        System.out.println();
        System.out.println("Summary");
        results.forEach(r -> System.out.println("  " + r));
    }

    // ------------------------------------------------------------------------------------------

    private static Sample sample(long i) {
        return Sample.of("/data/shard-" + (i % 256) + "/image-" + i + ".jpg").withTags(i % 5 == 0 ? "validation" : "train")
                .withMetadata(new Metadata(1920, 1080, 200_000L + i, "image/jpeg"))
                .with("old", i)
                .with("label", Classification.of(i % 3 == 0 ? "cat" : "dog", 0.5 + (i % 50) / 100.0))
                .with("score", (i % 1000) / 1000.0)
                .with("note", "captured by camera " + (i % 17) + " during the day, reviewed by the annotation team");
    }

    private static Iterator<Sample> samples(long n) {
        return new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Sample next() {
                return sample(i++);
            }
        };
    }

    private Connection raw() throws SQLException {
        EmbeddedServer.Endpoint e = Postgres.embeddedServer(config).runningEndpoint().orElseThrow();
        Properties p = new Properties();
        p.setProperty("user", e.user());
        p.setProperty("password", e.password());
        return DriverManager.getConnection(e.jdbcUrl(config.databaseName()), p);
    }

    private long datasetId(Connection c, String name) throws SQLException {
        return DatasetTable.byName(c, name).orElseThrow().id();
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Leaves the tables as a fresh migration would find them: no dead rows, statistics known, nothing to flush. */
    private void settle() throws SQLException {
        try (Connection c = raw()) {
            exec(c, "VACUUM ANALYZE");
            exec(c, "CHECKPOINT");
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void report(String what, String figure, double ratio, String goal, boolean met) {
        String line = String.format(Locale.ROOT, "%-62s %-28s ratio %5.2f (goal %s) %s", what, figure, ratio, goal,
                met ? "met" : "MISSED");
        System.out.println(line);
        results.add(line);
    }

    private MigrationResult migrate(MigrationRequest request) {
        try (Migrations m = Migrations.open(config, model, Feedback.NONE)) {
            MigrationResult r = m.migrate(request);
            if (!r.complete()) {
                throw new IllegalStateException(r.summary());
            }
            return r;
        }
    }

    // 1. one dataset of a million samples through a rename-like revision, against the raw UPDATE

    private void renameOneBigDataset() throws Exception {
        System.out.println();
        System.out.println("1. A rename-like revision over one dataset of " + big + " samples, against one raw UPDATE");
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            long t = System.nanoTime();
            cairn.create("big").addAll(samples(big));
            System.out.printf(Locale.ROOT, "   built 'big' in %.1f s%n", seconds(t));
            cairn.clone("big", "big copy");
        }
        migrate(MigrationRequest.database().to(V090));
        long copyTable;
        try (Connection c = raw()) {
            copyTable = datasetId(c, "big copy");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_size_pretty(pg_total_relation_size("
                    + "'cairn_data.samples_" + copyTable + "'))")) {
                rs.next();
                System.out.println("   each copy takes " + rs.getString(1) + " on disk");
            }
        }
        for (boolean up : new boolean[]{true, false}) {
            settle();
            double rawSeconds;
            try (Connection c = raw()) {
                c.setAutoCommit(false);
                long t = System.nanoTime();
                exec(c, "UPDATE cairn_data.samples_" + copyTable + " SET " + (up ? RENAME : RENAME_BACK)
                        + " WHERE fields -> '" + (up ? "old" : "new") + "' IS NOT NULL");
                c.commit();
                rawSeconds = seconds(t);
            }
            settle();
            long t = System.nanoTime();
            migrate(MigrationRequest.named("big").to(up ? V090 : V040));
            double cairnSeconds = seconds(t);
            report((up ? "migrate one dataset up" : "migrate one dataset down") + " (" + big + " samples)",
                    String.format(Locale.ROOT, "%.0f samples/s vs %.0f raw", big / cairnSeconds, big / rawSeconds),
                    rawSeconds / cairnSeconds, ">= 0.90", rawSeconds / cairnSeconds >= 0.9);
        }
        try (Cairn cairn = Cairn.open(config, model, Feedback.NONE)) {
            cairn.delete("big copy");
            cairn.delete("big");
        }
        migrate(MigrationRequest.database().to(V040));
    }

    // 2. migrate --all over many datasets, against the same SQL raw in a loop on one connection

    private void migrateAllOfManyDatasets() throws Exception {
        System.out.println();
        System.out.println("2. migrate --all over " + datasets + " datasets of " + perDataset + " samples");
        List<Long> ids = new ArrayList<>();
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            long t = System.nanoTime();
            for (int i = 0; i < datasets; i++) {
                cairn.create(String.format("many %05d", i)).addAll(samples(perDataset));
            }
            System.out.printf(Locale.ROOT, "   built them in %.1f s%n", seconds(t));
        }
        try (Connection c = raw()) {
            for (int i = 0; i < datasets; i++) {
                ids.add(datasetId(c, String.format("many %05d", i)));
            }
        }
        int workers = MigrationRequest.defaultWorkers();
        for (boolean up : new boolean[]{true, false}) {
            settle();
            double rawSeconds;
            try (Connection c = raw()) {
                long t = System.nanoTime();
                for (long id : ids) {
                    exec(c, "UPDATE cairn_data.samples_" + id + " SET " + (up ? RENAME : RENAME_BACK) + " WHERE fields -> '"
                            + (up ? "old" : "new") + "' IS NOT NULL");
                }
                rawSeconds = seconds(t);
                // undo, so that Cairn finds the data as it was
                for (long id : ids) {
                    exec(c, "UPDATE cairn_data.samples_" + id + " SET " + (up ? RENAME_BACK : RENAME) + " WHERE fields -> '"
                            + (up ? "new" : "old") + "' IS NOT NULL");
                }
            }
            double[] cairnSeconds = new double[2];
            int[] runs = {workers, 1};
            for (int k = 0; k < 2; k++) {
                settle();
                long t = System.nanoTime();
                migrate(MigrationRequest.all().to(up ? V090 : V040).workers(runs[k]));
                cairnSeconds[k] = seconds(t);
                if (k == 0) {
                    settle();
                    migrate(MigrationRequest.all().to(up ? V040 : V090).workers(workers));
                }
            }
            String direction = up ? "up" : "down";
            report("migrate --all " + direction + " (" + datasets + " x " + perDataset + "), " + workers + " workers",
                    String.format(Locale.ROOT, "%.1f s vs %.1f s raw", cairnSeconds[0], rawSeconds),
                    rawSeconds / cairnSeconds[0], ">= 1.00", rawSeconds / cairnSeconds[0] >= 1.0);
            report("migrate --all " + direction + ", " + workers + " workers against --workers 1",
                    String.format(Locale.ROOT, "%.1f s vs %.1f s", cairnSeconds[0], cairnSeconds[1]),
                    cairnSeconds[1] / cairnSeconds[0], ">= 1.50", cairnSeconds[1] / cairnSeconds[0] >= 1.5);
            if (!up) {
                break;
            }
            // the data is now at 0.9.0 (from the --workers 1 run): the down measurements start from there
        }
    }

    // 3. loading an up-to-date dataset, against reading its record alone

    private void loadUpToDate() throws Exception {
        System.out.println();
        System.out.println("3. Loading an up-to-date dataset, against reading its record alone");
        int n = 10_000;
        String name = "many 00001";
        // the migrations before rewrote a million rows: without this, autovacuum works them off on
        // the same two processors while loads and their floor are timed, unevenly
        settle();
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            if (!cairn.exists(name)) {
                cairn.create(name).addAll(samples(perDataset));
            }
            for (int i = 0; i < 5_000; i++) {
                cairn.dataset(name);
                cairn.exists(name);
            }
            // both through the same client and its pool of connections, in alternating rounds (best
            // of 9), so that both meet the same connection and the same server process: the
            // record alone is Cairn.exists, one SELECT of the dataset's row by name
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
            for (int round = 0; round < 9; round++) {
                long t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    cairn.exists(name);
                }
                best[1] = Math.min(best[1], seconds(t));
                t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    cairn.dataset(name);
                }
                best[0] = Math.min(best[0], seconds(t));
            }
            report("load an up-to-date dataset", String.format(Locale.ROOT, "%.3f ms vs %.3f ms for its record",
                    best[0] * 1000 / n, best[1] * 1000 / n), best[0] / best[1], "<= 1.20", best[0] / best[1] <= 1.2);
        }
    }

    // 4. importing a million samples, against raw COPY of the same rows

    private void importVersusCopy() throws Exception {
        System.out.println();
        System.out.println("4. Importing " + big + " samples, against raw COPY of the same rows");
        Path jsonl = dir.resolve("import.jsonl");
        Path copy = dir.resolve("import.copy");
        try (BufferedWriter j = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
             BufferedWriter k = Files.newBufferedWriter(copy, StandardCharsets.UTF_8)) {
            j.write("{\"cairn\":\"dataset\",\"format\":1,\"name\":\"imported\",\"samples\":" + big + ",\"fields\":["
                    + "{\"name\":\"old\",\"type\":\"int\"},{\"name\":\"label\",\"type\":\"classification\"},"
                    + "{\"name\":\"score\",\"type\":\"float\"},{\"name\":\"note\",\"type\":\"string\"}]}\n");
            for (long i = 0; i < big; i++) {
                Sample s = sample(i);
                String fields = Json.write(Json.encodeFields(s.fields()));
                String metadata = Json.write(Json.encodeMetadata(s.metadata().orElseThrow()));
                j.write("{\"id\":\"" + s.id() + "\",\"filepath\":\"" + s.filepath() + "\",\"tags\":[\"" + s.tags().get(0)
                        + "\"],\"metadata\":" + metadata + ",\"fields\":" + fields + "}\n");
                k.write(s.id() + "\t" + s.filepath() + "\t{\"" + s.tags().get(0) + "\"}\t" + metadata.replace("\\", "\\\\")
                        + "\t" + fields.replace("\\", "\\\\") + "\n");
            }
        }
        System.out.printf(Locale.ROOT, "   the file is %.0f MB%n", Files.size(jsonl) / 1e6);
        long target;
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            cairn.create("raw copy target");
        }
        try (Connection c = raw()) {
            target = datasetId(c, "raw copy target");
        }
        settle();
        double rawSeconds;
        try (Connection c = raw(); Reader in = Files.newBufferedReader(copy, StandardCharsets.UTF_8)) {
            c.setAutoCommit(false);
            long t = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY cairn_data.samples_" + target
                    + " (id, filepath, tags, metadata, fields) FROM STDIN", in, 1 << 16);
            c.commit();
            rawSeconds = seconds(t);
        }
        settle();
        double cairnSeconds;
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE);
             InputStream in = Files.newInputStream(jsonl)) {
            long t = System.nanoTime();
            cairn.importLines(in, jsonl.toString(), null, false, Files.size(jsonl));
            cairnSeconds = seconds(t);
        }
        report("import " + big + " samples", String.format(Locale.ROOT, "%.0f samples/s vs %.0f raw COPY",
                big / cairnSeconds, big / rawSeconds), rawSeconds / cairnSeconds, ">= 0.50", rawSeconds / cairnSeconds >= 0.5);
        Files.delete(jsonl);
        Files.delete(copy);
    }

    // 5. cairn migrate --info: on many datasets once connected, and from the shell

    private void infoOnManyDatasets() throws Exception {
        System.out.println();
        System.out.println("5. cairn migrate --info on " + manyDatasets + " datasets, once connected");
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            long existing = cairn.datasets().size();
            long t = System.nanoTime();
            for (long i = existing; i < manyDatasets; i++) {
                cairn.create(String.format("empty %05d", i));
            }
            System.out.printf(Locale.ROOT, "   created %d more datasets in %.1f s%n", manyDatasets - existing, seconds(t));
        }
        try (Migrations m = Migrations.open(config, model, Feedback.NONE)) {
            m.info();
            double best = Double.MAX_VALUE;
            int shown = 0;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                shown = m.info().datasets().size();
                best = Math.min(best, seconds(t));
            }
            report("migrate --info on " + shown + " datasets, connected", String.format(Locale.ROOT, "%.3f s", best),
                    best / 1.0, "<= 1.00 s", best < 1.0);
        }
    }

    private void infoFromTheShell() throws Exception {
        System.out.println();
        System.out.println("6. cairn migrate --info end to end from the shell, the server running");
        Path launcher = Path.of("cairn").toAbsolutePath();
        if (!Files.isExecutable(launcher) || Files.list(Path.of("cairn-cli/target")).noneMatch(p -> p.getFileName().toString()
                .matches("cairn-.*\\.jar"))) {
            System.out.println("   skipped: build the jar first (mvn -q -B package -DskipTests), as ./bench does");
            return;
        }
        double best = Double.MAX_VALUE;
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "migrate", "--info").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("CAIRN_HOME", config.home().toString());
            long t = System.nanoTime();
            int exit = pb.start().waitFor();
            double s = seconds(t);
            if (exit != 0) {
                throw new IllegalStateException("cairn migrate --info exited with " + exit);
            }
            if (i > 0) {
                all.add(s);
                best = Math.min(best, s);
            }
        }
        all.sort(Double::compare);
        double median = all.get(all.size() / 2);
        report("cairn migrate --info from the shell (median of 5)", String.format(Locale.ROOT, "%.2f s (best %.2f s)",
                median, best), median / 1.0, "< 1.00 s", median < 1.0);
    }

    // 7. How fast the command starts: cairn --version and cairn migrate --info against a JVM's own start

    private static final int STARTS = 11;

    private void startup() throws Exception {
        System.out.println();
        System.out.println("7. Start-up: java -version, cairn --version and cairn migrate --info (a local database with one"
                + " dataset), whole processes, interleaved, median of " + STARTS + " after a warm-up");
        Path launcher = Path.of("cairn").toAbsolutePath();
        if (!Files.isExecutable(launcher) || Files.list(Path.of("cairn-cli/target")).noneMatch(p -> p.getFileName().toString()
                .matches("cairn-.*\\.jar"))) {
            System.out.println("   skipped: build the jar first (mvn -q -B package -DskipTests), as ./bench does");
            return;
        }
        // A database of its own on the same server, as a new user's: one small dataset, whatever the other sections built.
        Map<String, String> environment = Map.of("CAIRN_HOME", config.home().toString(),
                "CAIRN_DATABASE_NAME", "startup");
        run(environment, launcher.toString(), "import", Path.of("examples/quickstart.jsonl").toAbsolutePath().toString(),
                "--replace");
        List<List<String>> commands = List.of(List.of("java", "-version"), List.of(launcher.toString(), "--version"),
                List.of(launcher.toString(), "migrate", "--info"));
        List<List<Double>> times = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i <= STARTS; i++) {
            for (int c = 0; c < commands.size(); c++) {
                double s = run(environment, commands.get(c).toArray(String[]::new));
                if (i > 0) {
                    times.get(c).add(s);
                }
            }
        }
        double java = median(times.get(0));
        double version = median(times.get(1));
        double info = median(times.get(2));
        System.out.printf(Locale.ROOT, "   java -version %.3f s, cairn --version %.3f s, cairn migrate --info %.3f s (medians)%n",
                java, version, info);
        report("cairn --version against java -version", String.format(Locale.ROOT, "%.3f s vs %.3f s", version, java),
                version / java, "<= 3.00", version / java <= 3.0);
        report("cairn migrate --info (one dataset) against java -version", String.format(Locale.ROOT, "%.3f s vs %.3f s",
                info, java), info / java, "<= 5.00", info / java <= 5.0);
    }

    /** Runs a command to its end and returns how long it took, in seconds; a failure stops the benchmark. */
    private static double run(Map<String, String> environment, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(environment);
        long t = System.nanoTime();
        int exit = pb.start().waitFor();
        double s = seconds(t);
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
        }
        return s;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        EmbeddedServer running = Postgres.embeddedServer(CairnConfig.builder().home(root).build());
        running.stop();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
