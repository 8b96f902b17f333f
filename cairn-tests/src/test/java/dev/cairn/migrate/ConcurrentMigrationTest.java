package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Feedback;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.HistoryEntry;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Processes;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 2: no revision is applied twice to the same data, whatever the number of concurrent
 * clients, lazy loaders and admins.
 *
 * <p>Every test starts from datasets stored at data model 0.1.0 by a 0.1.0 client and lets many
 * actors race to bring them to 0.4.0. Revision 0.4.0 (boxes stored as corners) is not
 * idempotent: applied twice, a box {@code [x, y, w, h]} would be stored as
 * {@code [x, y, 2x + w, 2y + h]} and read back with the wrong width. So each test checks, for
 * every dataset, that the history has exactly one successful migration 0.1.0 to 0.4.0 and no
 * failed one, that every box is stored as the corners of the box written (converted once), and
 * that every sample reads back, through the API, exactly as it was written.
 */
class ConcurrentMigrationTest {

    private static final Version V040 = Version.parse("0.4.0");
    private static final long WAIT_SECONDS = 180;

    /** A database at {@code 0.1.0} with these datasets, written by a 0.1.0 client. */
    private static Map<String, List<Sample>> outdated(CairnConfig config, int datasets, int samples) {
        Map<String, List<Sample>> written = new LinkedHashMap<>();
        try (Cairn old = Cairn.open(config.toBuilder().clientRelease("0.1.0").build())) {
            for (int i = 0; i < datasets; i++) {
                String name = "shared " + i;
                List<Sample> s = Fixtures.samplesWithBoxes(samples, i + 1);
                old.create(name).addAll(s);
                written.put(name, s);
            }
            assertThat(old.datasets()).allMatch(d -> d.version().toString().equals("0.1.0"));
        }
        assertThat(Queries.databaseVersion(config)).isEqualTo("0.1.0");
        return written;
    }

    private static void migrateDatabaseOnly(CairnConfig config) {
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            MigrationResult r = m.migrate(MigrationRequest.database().to(V040));
            assertThat(r.complete()).as(r.summary()).isTrue();
        }
        assertThat(Queries.databaseVersion(config)).isEqualTo("0.4.0");
    }

    /**
     * For each dataset: exactly one successful migration, from 0.1.0 to 0.4.0, and no failed
     * one; the other attempts, if any, found it done; version 0.4.0; boxes converted once; and
     * every sample reads back as written.
     */
    private static void assertMigratedExactlyOnce(CairnConfig config, Map<String, List<Sample>> written) {
        try (Migrations m = Migrations.open(config, Feedback.NONE);
             Cairn reader = Cairn.open(config.toBuilder().admin(false).build())) {
            for (Map.Entry<String, List<Sample>> e : written.entrySet()) {
                String name = e.getKey();
                List<HistoryEntry> history = m.history(10_000, name);
                assertThat(history).as("the history of %s", name)
                        .filteredOn(h -> h.outcome().equals("ok"))
                        .singleElement()
                        .satisfies(h -> {
                            assertThat(h.from()).isEqualTo("0.1.0");
                            assertThat(h.to()).isEqualTo("0.4.0");
                        });
                assertThat(history).as("the history of %s: one migration, the others found it done", name)
                        .allMatch(h -> h.outcome().equals("ok") || h.outcome().equals("skipped"));
                assertThat(Queries.datasetVersion(config, name)).isEqualTo("0.4.0");
                Fixtures.assertStoredAsCorners(config, name, e.getValue());
                Fixtures.assertHolds(reader, name, e.getValue());
            }
            List<HistoryEntry> database = m.history(10_000, null).stream().filter(h -> h.dataset().isEmpty()
                    && h.outcome().equals("ok") && "0.1.0".equals(h.from())).toList();
            assertThat(database).as("the database's own migrations from 0.1.0").singleElement()
                    .satisfies(h -> assertThat(h.to()).isEqualTo("0.4.0"));
        }
    }

    // ------------------------------------------------------------------ (a) threads

    /**
     * Eight clients in this JVM, each with its own connection pool (admins and not), load the
     * same outdated dataset at the same moment: it is upgraded once, and every client reads it
     * right. Three rounds, with fresh datasets, to give the race more chances.
     */
    @Test
    void eightClientsLoadingTheSameOutdatedDatasetUpgradeItOnce() throws Exception {
        CairnConfig config = Backend.fresh();
        Map<String, List<Sample>> written = outdated(config, 3, 1500);
        migrateDatabaseOnly(config);

        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<String> upgrading = java.util.Collections.synchronizedList(new ArrayList<>());
        Feedback told = new Feedback() {
            @Override
            public void notice(String message) {
                if (message.startsWith("upgrading")) {
                    upgrading.add(message);
                }
            }
        };
        try {
            for (Map.Entry<String, List<Sample>> round : written.entrySet()) {
                CyclicBarrier start = new CyclicBarrier(n);
                List<Future<Map<String, Sample>>> loads = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    CairnConfig client = config.toBuilder().admin(i % 2 == 0).poolSize(2).build();
                    loads.add(pool.submit(() -> {
                        try (Cairn cairn = Cairn.open(client, told)) {
                            start.await(60, TimeUnit.SECONDS);
                            return Fixtures.readAll(cairn.dataset(round.getKey()));
                        }
                    }));
                }
                for (Future<Map<String, Sample>> f : loads) {
                    assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("what a loader of %s read", round.getKey())
                            .isEqualTo(Fixtures.byId(round.getValue()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertMigratedExactlyOnce(config, written);
        try (Migrations m = Migrations.open(config, Feedback.NONE)) {
            for (String name : written.keySet()) {
                assertThat(m.history(10_000, name)).as("the history of %s: the loaders that found it done recorded"
                        + " nothing", name).singleElement().satisfies(h -> assertThat(h.outcome()).isEqualTo("ok"));
            }
        }
        assertThat(upgrading).as("only the loader that upgraded a dataset says so").hasSize(written.size());
    }

    // ------------------------------------------------------------------ (b) processes

    /**
     * Four processes, started together and released at the same moment, load the same two
     * outdated datasets (in opposite orders): each dataset is upgraded once, and every process
     * reads it right.
     */
    @Test
    void fourProcessesLoadingTheSameOutdatedDatasetsUpgradeThemOnce() throws Exception {
        CairnConfig config = Backend.fresh();
        Map<String, List<Sample>> written = outdated(config, 2, 2000);
        migrateDatabaseOnly(config);
        List<String> names = new ArrayList<>(written.keySet());

        try (Actors loaders = new Actors("loaders")) {
            for (int i = 0; i < 4; i++) {
                boolean even = i % 2 == 0;
                List<String> order = even ? names : reversed(names);
                loaders.start("loader-" + i, out -> startLoader(config, even, loaders.go, order, out));
            }
            loaders.awaitAll("READY");
            Files.writeString(loaders.go, "go");
            List<String> said = loaders.awaitExitZero("loader");
            for (int i = 0; i < said.size(); i++) {
                assertLoadedEvery(said.get(i), written, "loader " + i);
            }
        }
        assertMigratedExactlyOnce(config, written);
    }

    // ------------------------------------------------------------------ (c) admins

    /**
     * Two admins run {@code cairn migrate --all} at once over six outdated datasets: both exit 0,
     * the database and every dataset are migrated once, and the content is right.
     */
    @Test
    void twoAdminsMigratingEverythingAtOnceMigrateEachDatasetOnce() throws Exception {
        CairnConfig config = Backend.fresh();
        Map<String, List<Sample>> written = outdated(config, 6, 400);

        try (Actors admins = new Actors("admins")) {
            admins.start("admin-0", out -> startMigrateAll(config, out));
            admins.start("admin-1", out -> startMigrateAll(config, out));
            admins.awaitExitZero("admin");
        }
        assertMigratedExactlyOnce(config, written);
    }

    /**
     * Everything at once on a database at 0.1.0: two processes connect as admins (on a local
     * database, policy auto, both try to upgrade the database on connecting; on a shared server,
     * policy manual, an admin has moved the database first) and wait; four clients of this JVM
     * (admins and not) wait too; two admins start {@code cairn migrate --all}, and as soon as the
     * first dataset step of theirs has begun, every loader is released to load every dataset.
     * Every actor succeeds; the database and every dataset are migrated once; the content is right.
     */
    @Test
    void adminsAndLazyLoadersTogetherMigrateEachDatasetOnce() throws Exception {
        CairnConfig config = Backend.fresh();
        Map<String, List<Sample>> written = outdated(config, 5, 400);
        List<String> names = new ArrayList<>(written.keySet());

        if (Queries.query(config, c -> Queries.string(c, "SELECT policy FROM cairn.database")).equals("manual")) {
            // a shared server's database (policy manual) moves only by an admin's 'cairn migrate', and
            // until it does, clients of 0.4.0 are refused: the admin moves the database first
            migrateDatabaseOnly(config);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch release = new CountDownLatch(1);
        try (Actors processes = new Actors("mix")) {
            processes.start("loader-0", out -> startLoader(config, true, processes.go, names, out));
            processes.start("loader-1", out -> startLoader(config, true, processes.go, reversed(names), out));
            processes.awaitAll("READY");
            assertThat(Queries.databaseVersion(config)).as("the database, upgraded by a loader on connecting"
                    + " (policy auto) or by the admin (policy manual)").isEqualTo("0.4.0");
            List<Future<Map<String, Map<String, Sample>>>> loads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                CairnConfig client = config.toBuilder().admin(i % 2 == 0).poolSize(2).build();
                List<String> order = i % 2 == 0 ? names : reversed(names);
                loads.add(pool.submit(() -> {
                    Map<String, Map<String, Sample>> read = new LinkedHashMap<>();
                    try (Cairn cairn = Cairn.open(client)) {
                        assertThat(release.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                        for (String name : order) {
                            read.put(name, Fixtures.readAll(cairn.dataset(name)));
                        }
                    }
                    return read;
                }));
            }
            processes.start("admin-0", out -> startMigrateAll(config, out));
            processes.start("admin-1", out -> startMigrateAll(config, out));
            waitUntil(() -> !Queries.query(config, c -> Queries.string(c, "SELECT count(*) FROM cairn.history"
                    + " WHERE dataset_id IS NOT NULL AND command LIKE 'cairn migrate --all%'")).equals("0"),
                    "an admin's first dataset step begins");
            Files.writeString(processes.go, "go");
            release.countDown();

            for (Future<Map<String, Map<String, Sample>>> f : loads) {
                Map<String, Map<String, Sample>> read = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
                for (String name : names) {
                    assertThat(read.get(name)).as("what a client read of %s", name)
                            .isEqualTo(Fixtures.byId(written.get(name)));
                }
            }
            List<String> said = processes.awaitExitZero("process");
            for (int i = 0; i < said.size(); i++) {
                if (said.get(i).contains("READY")) {
                    assertLoadedEvery(said.get(i), written, "process " + i);
                }
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertMigratedExactlyOnce(config, written);
    }

    private static List<String> reversed(List<String> list) {
        List<String> out = new ArrayList<>(list);
        java.util.Collections.reverse(out);
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /** Starts a JVM that connects, says READY, waits for the file {@code go}, then loads the datasets in that order. */
    private static Process startLoader(CairnConfig config, boolean admin, Path go, List<String> order, Path out)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(go.toString()));
        args.addAll(order);
        return Processes.start(Backend.environment(config), Map.of("CAIRN_DATABASE_ADMIN", Boolean.toString(admin)),
                List.of(), LoadDatasetsMain.class.getName(), out, args.toArray(String[]::new));
    }

    private static Process startMigrateAll(CairnConfig config, Path out) throws IOException {
        return Processes.start(config, Map.of("CAIRN_DATABASE_ADMIN", "true"), out, "migrate", "--all");
    }

    /** The loader read every dataset at 0.4.0, every sample as written (LoadDatasetsMain's LOADED lines). */
    private static void assertLoadedEvery(String output, Map<String, List<Sample>> written, String loader) {
        written.forEach((name, samples) -> assertThat(output).as(loader)
                .contains("LOADED " + name + " 0.4.0 " + samples.size() + " " + Fixtures.digest(samples)));
    }

    /**
     * The processes of one test, each writing into a file of its own in one scratch folder, which
     * also holds the file {@link #go} that releases the loaders; closing kills what still runs.
     */
    private static final class Actors implements AutoCloseable {
        final Path dir;
        final Path go;
        private final List<Process> processes = new ArrayList<>();
        private final List<Path> outputs = new ArrayList<>();

        Actors(String name) {
            dir = Backend.scratch(name);
            go = dir.resolve("go");
        }

        @FunctionalInterface
        interface Start {
            Process into(Path output) throws IOException;
        }

        void start(String name, Start start) throws IOException {
            Path out = dir.resolve(name + ".txt");
            outputs.add(out);
            processes.add(start.into(out));
        }

        /** Waits until every process has written the line, failing at once if one of them fails. */
        void awaitAll(String line) throws Exception {
            waitUntil(() -> {
                for (int i = 0; i < processes.size(); i++) {
                    Process p = processes.get(i);
                    if (!p.isAlive() && p.exitValue() != 0) {
                        throw new AssertionError("process " + i + " failed: " + Files.readString(outputs.get(i)));
                    }
                }
                for (Path out : outputs) {
                    if (!Files.exists(out) || !Files.readString(out, StandardCharsets.UTF_8).contains(line)) {
                        return false;
                    }
                }
                return true;
            }, "every process says " + line);
        }

        /** Waits for every process to end, checks that each exited 0, and returns what each one wrote. */
        List<String> awaitExitZero(String actor) throws Exception {
            List<String> said = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                assertThat(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("%s %d finished", actor, i).isTrue();
                String output = Files.readString(outputs.get(i), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as("%s %d: %s", actor, i, output).isZero();
                said.add(output);
            }
            return said;
        }

        @Override
        public void close() {
            processes.forEach(Process::destroyForcibly);
        }
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws IOException;
    }

    private static void waitUntil(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT_SECONDS + " s until " + what);
            }
            Thread.sleep(20);
        }
    }
}
