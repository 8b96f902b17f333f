package dev.cairn.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static dev.cairn.migrate.FaultRun.V1;
import static dev.cairn.migrate.MigratorSessions.awaitSessionsAndLocksGone;
import static dev.cairn.testing.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * What must hold once a migrator ended, struck or not: nothing locked, every dataset whole at
 * one of its versions (see {@link KnownGood}), the steps the fault cut at one end or the other,
 * {@code cairn migrate --info} answering and telling the truth; and, once a run finished, every
 * dataset at its target and the samples read back through the API the ones written.
 */
final class AfterRunChecks {

    static final long INFO_TIMEOUT_SECONDS = 60;

    private final CairnConfig current;
    private final CairnConfig old;
    private final KnownGood knownGood;
    private final FaultStats stats;

    AfterRunChecks(CairnConfig current, CairnConfig old, KnownGood knownGood, FaultStats stats) {
        this.current = current;
        this.old = old;
        this.knownGood = knownGood;
        this.stats = stats;
    }

    /**
     * Everything checked after a run ended, struck or not: first that the database is not locked,
     * then that every dataset and the database are whole at one of their versions.
     */
    HeldState checkAfter(String what, long historyBefore, boolean clean) throws Exception {
        // cairn migrate --info answers at once, while what the dead migrator left may still be ending
        assertInfoAnswers(what);
        long released = awaitSessionsAndLocksGone(current, what);
        stats.slowestRelease = Math.max(stats.slowestRelease, released);
        try (Connection c = Backend.raw(current); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + DatabaseTable.MIGRATE_DATABASE_LOCK + ")")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("%s: a new migrator takes the migration lock at once", what).isTrue();
            }
            s.execute("SELECT pg_advisory_unlock(" + DatabaseTable.MIGRATE_DATABASE_LOCK + ")");
        }
        HeldState state = HeldState.read(current);
        knownGood.assertWhole(state, what);
        checkCutSteps(state, historyBefore, what, clean);
        assertInfoMatches(state, what);
        return state;
    }

    /** Every dataset and the database at {@code target}, nothing pending. */
    void assertFinished(HeldState s, String target, HeldState before) {
        assertThat(s.database()).as("the database reached %s", target).isEqualTo(target);
        assertThat(s.datasets().values()).as("every dataset reached %s", target)
                .allSatisfy(d -> assertThat(d.version()).as(d.name()).isEqualTo(target));
        assertThat(s.pending()).as("no migration is recorded as pending once it finished").isNull();
        if (target.equals(V1)) {
            assertThat(s.pinned()).as("an explicit downgrade pins the database").isTrue();
        } else if (before.database().equals(V1)) {
            assertThat(s.pinned()).as("an explicit upgrade of the database unpins it").isFalse();
        }
    }

    /** The samples read through the API of the client of the version reached are the ones written at the start. */
    void compareThroughTheApi(String version, Map<String, List<Sample>> written) {
        try (Cairn cairn = Cairn.open(version.equals(V1) ? old : current)) {
            assertThat(cairn.workingVersion()).hasToString(version);
            for (Map.Entry<String, List<Sample>> e : written.entrySet()) {
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
     * The history entries the run left open are the steps the fault cut: each one's target must be
     * at its old version (the transaction rolled back) or its new one (it committed just before
     * the fault), and nothing else.
     */
    private void checkCutSteps(HeldState s, long historyBefore, String what, boolean clean) throws SQLException {
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
                    String now = database ? s.database() : s.datasets().get(dataset).version();
                    assertThat(now).as("%s: the %s whose step %s -> %s was cut is at one end of it", what,
                            database ? "database" : "dataset " + knownGood.name(dataset), from, to).isIn(from, to);
                    stats.count(database ? "cut database" : now.equals(from) ? "cut rolled back" : "cut committed");
                }
            }
        }
    }

    /** What {@code cairn migrate --info --json} says is what the database holds; no migration under way. */
    private void assertInfoMatches(HeldState s, String what) throws Exception {
        Cli.Result r = Cli.run(current, "migrate", "--info", "--json");
        assertThat(r.exit()).as("%s: %s", what, r).isZero();
        JsonNode info = parse(r.out());
        JsonNode db = info.path("database_state");
        assertThat(db.path("version").asText()).as(what).isEqualTo(s.database());
        if (s.pending() == null) {
            assertThat(db.has("migration")).as("%s: --info shows no migration\n%s", what, r.out()).isFalse();
        } else {
            assertThat(db.path("migration").path("state").asText()).as("%s: the dead migrator's migration shows as"
                    + " interrupted\n%s", what, r.out()).isEqualTo("interrupted");
            assertThat(db.path("migration").path("target").asText()).as(what).isEqualTo(s.pending());
        }
        Map<String, String> shown = new TreeMap<>();
        info.path("datasets").forEach(d -> shown.put(d.path("name").asText(), d.path("version").asText()));
        Map<String, String> held = new TreeMap<>();
        s.datasets().values().forEach(d -> held.put(d.name(), d.version()));
        assertThat(shown).as("%s: --info shows every dataset at its version", what).isEqualTo(held);
        assertThat(info.path("datasets").findValuesAsText("status")).as(what)
                .noneMatch(st -> st.startsWith("migrating now"));
    }
}
