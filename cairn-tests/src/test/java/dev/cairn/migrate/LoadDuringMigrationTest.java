package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.Feedback;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.model.CairnModel;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Processes;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients, in threads and in processes of their own, of two releases, read and write
 * datasets while an admin runs {@code migrate --all} up and then down through a revision that
 * rewrites every sample table: no client sees an error (waits only), and every write that
 * returned is there afterwards, as written.
 */
class LoadDuringMigrationTest {

    private static final Version V040 = Version.parse("0.4.0");
    private static final Version V090 = Version.parse("0.9.0");
    private static final int DATASETS = 6;
    private static final int THREADS = 6;
    private static final int PROCESSES = 2;
    private static final long SECONDS = Long.getLong("cairn.test.load.seconds", 25);

    /**
     * Cairn's shipped model and a compatible 0.9.0 dataset revision that rewrites every row: each
     * sample gains a {@code checked} column, filled in by a full-table UPDATE (and dropped going down).
     */
    static DataModel model() {
        List<Revision> revisions = new ArrayList<>(CairnModel.shipped().revisions());
        revisions.add(Revision.dataset("0.9.0", "a test revision: samples gain a checked column, filled in").compatible(true)
                .up(ctx -> {
                    try (Statement s = ctx.connection().createStatement()) {
                        s.execute("ALTER TABLE " + ctx.sampleTable() + " ADD COLUMN checked boolean");
                        s.execute("UPDATE " + ctx.sampleTable() + " SET checked = true");
                        s.execute("SELECT pg_sleep(0.3)");
                    }
                })
                .down(ctx -> {
                    try (Statement s = ctx.connection().createStatement()) {
                        s.execute("ALTER TABLE " + ctx.sampleTable() + " DROP COLUMN checked");
                        s.execute("SELECT pg_sleep(0.3)");
                    }
                }).build());
        List<Release> releases = new ArrayList<>(CairnModel.shipped().releases());
        releases.add(Release.of("0.9.0", "0.9.0"));
        return DataModel.of(revisions, releases);
    }

    @Test
    void clientsOfTwoReleasesKeepWorkingAndLoseNothingWhileAnAdminMigratesUpAndDown() throws Exception {
        CairnConfig config = Backend.fresh();
        DataModel model = model();
        List<String> names = IntStream.range(0, DATASETS).mapToObj(i -> "load " + i).toList();
        try (Migrations m = Migrations.open(config, model, Feedback.NONE)) {
            m.migrate(MigrationRequest.all().to(V040));
        }
        try (Cairn cairn = Cairn.open(config, model.asOfRelease(V040), Feedback.NONE)) {
            for (String n : names) {
                Dataset d = cairn.create(n);
                List<Sample> initial = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    initial.add(Sample.of("/initial/" + i).with("client", "initial").with("seq", i));
                }
                d.addAll(initial);
            }
        }
        Path dir = Backend.scratch("load");
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;

        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            Path log = dir.resolve("process-" + p + ".log");
            logs.add(log);
            List<String> args = new ArrayList<>(List.of(log.toString(), "process-" + p, p % 2 == 0 ? "0.4.0" : "0.9.0",
                    Long.toString(SECONDS)));
            args.addAll(names);
            processes.add(Processes.start(Backend.environment(config), Map.of(), List.of(),
                    LoadClientMain.class.getName(), dir.resolve("process-" + p + ".out"), args.toArray(String[]::new)));
        }
        ConcurrentLinkedQueue<String> threadLog = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Long>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String id = "thread-" + t;
            DataModel clientModel = model.asOfRelease(t % 2 == 0 ? V040 : V090);
            threads.add(pool.submit(() -> {
                try (Cairn cairn = Cairn.open(config, clientModel, Feedback.NONE)) {
                    return new LoadClient(id, names, id.hashCode()).run(cairn, end, threadLog::add);
                }
            }));
        }

        List<String> admin = new ArrayList<>();
        Thread.sleep(2000);
        try (Migrations m = Migrations.open(config, model, Feedback.NONE)) {
            while (System.nanoTime() < end - 3_000_000_000L) {
                MigrationResult up = m.migrate(MigrationRequest.all().to(V090));
                assertThat(up.complete()).as(up.summary()).isTrue();
                admin.add("up");
                MigrationResult down = m.migrate(MigrationRequest.all().to(V040));
                assertThat(down.complete()).as(down.summary()).isTrue();
                admin.add("down");
            }
        }

        long threadOps = 0;
        for (Future<Long> f : threads) {
            threadOps += f.get(SECONDS + 120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        List<String> lines = new ArrayList<>(threadLog);
        long processOps = 0;
        for (int p = 0; p < PROCESSES; p++) {
            assertThat(processes.get(p).waitFor(SECONDS + 120, TimeUnit.SECONDS)).isTrue();
            List<String> log = Files.readAllLines(logs.get(p));
            assertThat(log).as("process %d ended without an error: %s", p,
                    Files.exists(dir.resolve("process-" + p + ".out")) ? Files.readString(dir.resolve("process-" + p + ".out")) : "")
                    .noneMatch(l -> l.startsWith("error")).anyMatch(l -> l.startsWith("done"));
            assertThat(processes.get(p).exitValue()).isZero();
            for (String l : log) {
                if (l.startsWith("done")) {
                    processOps += Long.parseLong(l.substring(5));
                } else {
                    lines.add(l);
                }
            }
        }

        Map<String, Long> adds = new HashMap<>();
        Map<String, Long> lastUpdate = new HashMap<>();
        Map<String, String> datasetOf = new HashMap<>();
        for (String l : lines) {
            String[] parts = l.split(" ");
            String dataset = parts[1] + " " + parts[2];
            String id = parts[3];
            long n = Long.parseLong(parts[4]);
            datasetOf.put(id, dataset);
            if (parts[0].equals("add")) {
                adds.put(id, n);
            } else {
                lastUpdate.merge(id, n, Math::max);
            }
        }
        long samples = 0;
        try (Cairn cairn = Cairn.open(config, model, Feedback.NONE)) {
            Map<String, Map<String, Sample>> all = new HashMap<>();
            for (String n : names) {
                Dataset d = cairn.dataset(n);
                Map<String, Sample> byId = new HashMap<>();
                try (var stream = d.stream()) {
                    stream.forEach(s -> byId.put(s.id(), s));
                }
                all.put(n, byId);
                samples += byId.size();
                assertThat(d.info().sampleCount()).as("the stored count of %s", n).isEqualTo(byId.size());
                assertThat(byId.values().stream().filter(s -> "initial".equals(s.get("client")))).hasSize(2000);
            }
            for (Map.Entry<String, Long> a : adds.entrySet()) {
                Sample s = all.get(datasetOf.get(a.getKey())).get(a.getKey());
                assertThat(s).as("the committed add of %s", a.getKey()).isNotNull();
                assertThat(s.get("seq")).isEqualTo(a.getValue());
                Long v = lastUpdate.get(a.getKey());
                assertThat(s.get("v")).as("the last committed update of %s", a.getKey()).isEqualTo(v);
            }
        }
        assertThat(admin).as("the admin went up and down while the clients worked").contains("up", "down");
        assertThat(adds.size()).isGreaterThan(50);
        System.out.println("LoadDuringMigrationTest [" + Backend.name() + "]: " + THREADS + " threads and " + PROCESSES
                + " processes of releases 0.4.0 and 0.9.0, " + (threadOps + processOps) + " operations in " + SECONDS
                + " s while the admin ran migrate --all " + String.join(", ", admin) + " over " + DATASETS + " datasets; "
                + adds.size() + " adds and " + lines.stream().filter(l -> l.startsWith("update")).count()
                + " updates committed, all found afterwards; " + samples + " samples; errors: 0; lost: 0");
    }
}
