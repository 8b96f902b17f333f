package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Feedback;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.Policy;
import dev.cairn.store.DatasetTable;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-lived client keeps the database's version instead of reading it with every load
 * (VersionWatch: a session of its own that LISTENs for the record's trigger). Whatever happens to
 * that session, the lazy upgrade of DESIGN.md holds: the first loads after the database moved up
 * upgrade the dataset, as soon as the move is announced, or by reading the version again when the
 * watch is gone or was never possible.
 */
class KeptDatabaseVersionTest {

    /** The statement the watch's session runs last, after LISTEN and after every notification. */
    private static final String WATCH_READ = DatasetTable.DATABASE_VERSION;

    private final CairnConfig base = Backend.fresh();

    private CairnConfig client(String release, boolean admin) {
        return base.toBuilder().clientRelease(release).admin(admin).build();
    }

    /** The database and a dataset d at 0.2.0, policy manual: a 0.3.0 client works at 0.2.0 and does not move it. */
    @BeforeEach
    void aDatasetAt020() {
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.migrate(MigrationRequest.all().to(Version.parse("0.2.0")));
            m.setPolicy(Policy.MANUAL);
        }
        try (Cairn old = Cairn.open(client("0.2.0", false))) {
            old.create("d").add(Sample.of("/a"));
        }
    }

    private void adminMovesTheDatabaseTo(String version) {
        try (Migrations m = Migrations.open(client("0.4.0", true), Feedback.NONE)) {
            m.migrate(MigrationRequest.database().to(Version.parse(version)));
        }
    }

    /** Loads d until the client has upgraded it to {@code version}; fails after ten seconds. */
    private static void loadsUntilUpgraded(Cairn client, String version) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String seen = null;
        while (Instant.now().isBefore(deadline)) {
            seen = client.dataset("d").info().version().toString();
            if (seen.equals(version)) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(seen).as("the dataset, loaded for ten seconds after the database moved").isEqualTo(version);
    }

    /** Whether a session of this database stands after the watch's read (LISTENing, idle). */
    private long watchingSessions() {
        Long n = Queries.query(base, c -> Queries.number(c, "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                + " current_database() AND state = 'idle' AND query = ?", WATCH_READ));
        return n;
    }

    /** Loads d until its watch is up (a few loads start it), failing after ten seconds. */
    private long loadsUntilWatching(Cairn client) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (watchingSessions() == 0 && Instant.now().isBefore(deadline)) {
            client.dataset("d");
            Thread.sleep(20);
        }
        return watchingSessions();
    }

    @Test
    void aMoveAnnouncedToAWatchingClientUpgradesAtItsNextLoads() throws Exception {
        try (Cairn longLived = Cairn.open(client("0.3.0", false))) {
            assertThat(loadsUntilWatching(longLived)).as("the client's watch listens").isEqualTo(1);
            assertThat(longLived.dataset("d").info().version()).isEqualTo(Version.parse("0.2.0"));
            adminMovesTheDatabaseTo("0.3.0");
            loadsUntilUpgraded(longLived, "0.3.0");
            assertThat(Queries.datasetVersion(base, "d")).isEqualTo("0.3.0");
        }
        assertThat(watchingSessions()).as("closing the client ends its watch").isZero();
    }

    @Test
    void aWatchWhoseSessionWasEndedLeavesLoadsToReadTheVersionThemselves() throws Exception {
        try (Cairn longLived = Cairn.open(client("0.3.0", false))) {
            assertThat(loadsUntilWatching(longLived)).isEqualTo(1);
            Queries.execute(base, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname ="
                    + " current_database() AND query = '" + WATCH_READ + "'");
            adminMovesTheDatabaseTo("0.3.0");
            loadsUntilUpgraded(longLived, "0.3.0");
        }
    }

    @Test
    void aDatabaseThatDoesNotAnnounceItsMovesIsReadAtEveryLoad() throws Exception {
        // as a database made before 0.6.0 (without the trigger) until an admin next moves it
        Queries.execute(base, "DROP TRIGGER moved ON cairn.database");
        try (Cairn longLived = Cairn.open(client("0.3.0", false))) {
            for (int i = 0; i < 20; i++) {
                longLived.dataset("d");
            }
            Thread.sleep(300);
            assertThat(watchingSessions()).as("no watch without the trigger").isZero();
            adminMovesTheDatabaseTo("0.3.0");
            assertThat(longLived.dataset("d").info().version()).as("the very next load").isEqualTo(Version.parse("0.3.0"));
        }
        long triggers = Queries.query(base, c -> Queries.number(c, "SELECT count(*) FROM pg_trigger WHERE tgname = 'moved'"
                + " AND tgrelid = 'cairn.database'::regclass"));
        assertThat(triggers).as("the admin's move put the trigger back").isEqualTo(1);
    }

    @Test
    void anyonesNotificationsOnlyMakeTheWatchReadAgain() throws Exception {
        try (Cairn longLived = Cairn.open(client("0.3.0", false))) {
            assertThat(loadsUntilWatching(longLived)).isEqualTo(1);
            for (int i = 0; i < 50; i++) {
                Queries.execute(base, "NOTIFY cairn_database, '0.9.9'");
                assertThat(longLived.dataset("d").info().version()).isEqualTo(Version.parse("0.2.0"));
            }
            assertThat(Queries.datasetVersion(base, "d")).as("nothing moved").isEqualTo("0.2.0");
            adminMovesTheDatabaseTo("0.3.0");
            loadsUntilUpgraded(longLived, "0.3.0");
        }
    }
}
