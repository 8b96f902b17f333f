package dev.cairn.migrate;

import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Release;
import dev.cairn.api.Remedy;
import dev.cairn.api.Revision;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.PendingMigration;
import dev.cairn.api.migration.Policy;
import dev.cairn.store.DatasetContext;
import dev.cairn.store.Postgres;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Connecting, as DESIGN.md's Connecting table says, for client data model C and database
 * version D: no database yet, initialise it at C (on a shared server only an admin may); D = C,
 * connect; D &lt; C, upgrade first if the policy is auto, the user admin and the database not
 * pinned, else work at D if every revision in (D, C] is compatible, else refuse; D &gt; C, work
 * if C is at least the oldest version the database accepts, else refuse. A refusal happens
 * before anything is written.
 */
final class Connect {

    private final Postgres postgres;
    private final DataModel model;
    private final boolean admin;
    private final Feedback feedback;
    private final Steps steps;

    Connect(Postgres postgres, DataModel model, boolean admin, Feedback feedback, Steps steps) {
        this.postgres = postgres;
        this.model = model;
        this.admin = admin;
        this.feedback = feedback;
        this.steps = steps;
    }

    /** The database as found (or made), and the version this client works at. */
    record Connected(DatabaseState state, Version working) {
    }

    /** Reads the records without changing anything; empty if there is no Cairn database. */
    Optional<DatabaseState> inspect() {
        return postgres.withConnection(c -> {
            DatabaseTable.Presence p = DatabaseTable.presence(c);
            if (p == DatabaseTable.Presence.PARTIAL) {
                throw partial();
            }
            return p == DatabaseTable.Presence.NONE ? Optional.<DatabaseState>empty() : Optional.of(DatabaseTable.read(c, ""));
        }, "reading the database's version");
    }

    /** What connecting to a database in a given state does. */
    sealed interface Decision {
        /** Connect and work at this version. */
        record Work(Version working) implements Decision {
        }

        /** Upgrade the database to this client's version first (policy auto, admin, not pinned). */
        record Upgrade() implements Decision {
        }

        /** Refuse, before writing anything. */
        record Refuse(RuntimeException reason) implements Decision {
        }
    }

    Decision decide(DatabaseState state) {
        Version c = model.version();
        Version d = state.version();
        if (d.isAtMost(c) && !model.knows(d)) {
            return new Decision.Refuse(new DamagedDatabaseException("the database is recorded at version " + d
                    + ", which is no data model version Cairn ever had (they are " + model.versions() + "): its record"
                    + " was tampered with. Cairn will not guess; restore the record from a backup"));
        }
        try {
            DatabaseTable.checkConsistent(state, model);
        } catch (DamagedDatabaseException e) {
            return new Decision.Refuse(e);
        }
        if (d.equals(c)) {
            return new Decision.Work(c);
        }
        if (d.isBefore(c)) {
            if (state.policy() == Policy.AUTO && admin && !state.pinned() && state.pending().isEmpty()) {
                return new Decision.Upgrade();
            }
            Optional<Revision> blocker = model.firstIncompatible(d, c);
            return blocker.isEmpty() ? new Decision.Work(d) : new Decision.Refuse(refuseOlderDatabase(state, blocker.get()));
        }
        return c.isAtLeast(state.minClientVersion()) ? new Decision.Work(c) : new Decision.Refuse(refuseNewer(state));
    }

    Connected connect() {
        DatabaseState state = inspect().orElseGet(() -> initialise(model.version()));
        Decision decision = decide(state);
        if (decision instanceof Decision.Refuse && state.pending().filter(PendingMigration::live).isPresent()) {
            // an admin's migration is under way: its outcome decides, so wait for it rather than refuse now
            postgres.withConnection(c -> {
                DatabaseLock.acquire(c, feedback, "connecting").close();
                return null;
            }, "waiting for the database migration under way");
            state = inspect().orElseThrow();
            decision = decide(state);
        }
        if (decision instanceof Decision.Upgrade) {
            state = autoUpgrade(state);
            decision = decide(state);
            if (decision instanceof Decision.Upgrade) {
                decision = new Decision.Refuse(new RefusedException("the database did not move up to " + model.version()
                        + " although this client upgraded it; run the command again"));
            }
        }
        if (decision instanceof Decision.Refuse r) {
            throw r.reason();
        }
        return new Connected(state, ((Decision.Work) decision).working());
    }

    private RefusedException refuseNewer(DatabaseState state) {
        Version c = model.version();
        return new RefusedException("this client is too old for the " + postgres.description() + ": the database is at"
                + " data model " + state.version() + " and accepts clients of data model " + state.minClientVersion()
                + " or newer, and this client is release " + model.release() + " with data model " + c + ". Install"
                + " release " + state.writtenByRelease() + " or newer (it wrote the database), or have an admin move the"
                + " database down, with that newer release: {0}. Nothing was changed.",
                List.of(new Remedy.Migrate(MigrationRequest.all().to(c))));
    }

    private RefusedException refuseOlderDatabase(DatabaseState state, Revision blocker) {
        Version c = model.version();
        Version d = state.version();
        String why;
        String fix;
        Remedy remedy = new Remedy.Migrate(MigrationRequest.database());
        if (state.pending().isPresent()) {
            why = "an admin's migration of the database is " + state.pending().get().describe();
            fix = "Wait for it to finish, or have an admin run it again: {0}";
            remedy = new Remedy.Migrate(MigrationRequest.database().to(state.pending().get().target()));
        } else if (state.pinned()) {
            why = "an admin pinned the database at " + d + " with an explicit downgrade, so no client upgrades it"
                    + " automatically";
            fix = "To move it up again an admin runs, with this release: {0}";
        } else if (state.policy() == Policy.MANUAL) {
            why = "its policy is manual: only an admin's migration changes its version";
            fix = "Have an admin upgrade it with this release: {0}";
        } else {
            why = "you are not acting as admin (CAIRN_DATABASE_ADMIN=false), so this client does not upgrade it";
            fix = "Upgrade it as admin: {0}";
        }
        Optional<Release> older = model.newestReleaseWorkingAt(d);
        return new RefusedException("the " + postgres.description() + " is at data model " + d + " and this client"
                + " (release " + model.release() + ") has data model " + c + "; it cannot work at " + d + " because"
                + " revision " + blocker.version() + " (" + blocker.description() + ") is not compatible, and it does"
                + " not upgrade the database because " + why + ". " + fix + (older.isPresent() ? "; or install"
                + " release " + older.get().release() + ", which works at " + d : "") + ". Nothing was changed.",
                List.of(remedy));
    }

    private DatabaseState autoUpgrade(DatabaseState found) {
        return postgres.withConnection(c -> {
            try (DatabaseLock lock = DatabaseLock.acquire(c, feedback, "upgrading the database")) {
                DatabaseState now = DatabaseTable.read(c, "");
                if (now.version().isBefore(model.version()) && !now.pinned() && now.pending().isEmpty()
                        && now.policy() == Policy.AUTO) {
                    feedback.notice("upgrading the " + postgres.description() + " from data model " + now.version()
                            + " to " + model.version() + " (policy auto); datasets follow when they are next loaded");
                    steps.database(now.version(), model.version(), "connect: automatic upgrade", false);
                    return DatabaseTable.read(c, "");
                }
                return now;
            }
        }, "upgrading the database");
    }

    /** Creates the Cairn database at version {@code at}, unless another client just did. */
    DatabaseState initialise(Version at) {
        if (!postgres.isLocal() && !admin) {
            throw new RefusedException("there is no Cairn database in the " + postgres.description() + " yet, and on"
                    + " a shared server only an admin may create one. An admin runs, with this release: {0} (it is"
                    + " created at data model " + model.version() + ").", List.of(new Remedy.Migrate(MigrationRequest.database())));
        }
        return postgres.inTransaction(c -> {
            Statements.execute(c, "SELECT pg_advisory_xact_lock(?)", DatabaseTable.INITIALISE_LOCK);
            DatabaseTable.Presence p = DatabaseTable.presence(c);
            if (p == DatabaseTable.Presence.PARTIAL) {
                throw partial();
            }
            if (p == DatabaseTable.Presence.NONE) {
                create(c, at);
            }
            return DatabaseTable.read(c, "");
        }, "creating the Cairn database");
    }

    private void create(Connection c, Version v) throws SQLException {
        DatabaseTable.createTables(c);
        DatasetContext ctx = DatasetContext.database(c, feedback);
        for (Revision r : model.between(Version.of(0, 0, 0), v, Revision.Scope.DATABASE)) {
            r.up(ctx);
        }
        DatabaseTable.insert(c, v, model.oldestAccepting(v, null), model.release().toString(),
                postgres.isLocal() ? Policy.AUTO : Policy.MANUAL);
        long h = History.start(c, null, null, null, v, Actor.current(), model.release().toString(), "initialise");
        History.finish(c, h, "ok", "created at data model " + v);
    }

    private DamagedDatabaseException partial() {
        return new DamagedDatabaseException("the " + postgres.description() + " has a 'cairn' schema but no version"
                + " record (cairn.database): it was damaged, or it holds something that is not Cairn's. Cairn changes"
                + " nothing in it; restore it from a backup, or use another database");
    }
}
