package dev.cairn.migrate;

import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Remedy;
import dev.cairn.api.Revision;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.AdminSetup;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.DatasetStatus;
import dev.cairn.api.migration.HistoryEntry;
import dev.cairn.api.migration.MigrationInfo;
import dev.cairn.api.migration.MigrationPlan;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.api.migration.Policy;
import dev.cairn.dataset.DatasetCompatibility;
import dev.cairn.dataset.Waits;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Postgres;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The revision engine over one database: connecting by the Connecting rules, lazy upgrades of
 * datasets on load, and the {@code cairn migrate} commands. One engine serves one client, with
 * the data model that client knows.
 */
public final class Engine {

    private final Postgres postgres;
    private final DataModel model;
    private final boolean admin;
    private final Feedback feedback;
    private final Steps steps;
    private final Connect connect;
    private final Migrator migrator;
    private volatile DatabaseState state;
    private volatile Version working;
    private final VersionWatch watch;
    private final java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();

    /** How many loads a client makes before it keeps the database's version rather than read it each time. */
    private static final int LOADS_BEFORE_WATCHING = 3;

    private Engine(Postgres postgres, DataModel model, boolean admin, Feedback feedback) {
        this.postgres = postgres;
        this.model = model;
        this.admin = admin;
        this.feedback = feedback;
        this.steps = new Steps(postgres, model, feedback);
        this.connect = new Connect(postgres, model, admin, feedback, steps);
        this.migrator = new Migrator(postgres, model, admin, feedback, steps, connect);
        this.watch = new VersionWatch(postgres);
    }

    /** An engine that has not connected yet: for commands that only read, or that an admin runs. */
    public static Engine of(Postgres postgres, DataModel model, boolean admin, Feedback feedback) {
        return new Engine(postgres, model, admin, feedback);
    }

    /**
     * Connects by the Connecting rules: initialises the database, upgrades it (policy auto,
     * admin), works at its version or refuses, before writing anything.
     */
    public Engine connect() {
        Connect.Connected connected = connect.connect();
        this.state = connected.state();
        this.working = connected.working();
        return this;
    }

    public DataModel model() {
        return model;
    }

    public boolean admin() {
        return admin;
    }

    /** The database's records as this client last read them. */
    public DatabaseState state() {
        requireConnected();
        return state;
    }

    /** The version this client works at on the database. */
    public Version workingVersion() {
        requireConnected();
        return working;
    }

    private void requireConnected() {
        if (working == null) {
            throw new IllegalStateException("the engine has not connected");
        }
    }

    /** Stops keeping the database's version (the client closes). */
    public void close() {
        watch.close();
    }

    /** The release that last moved the database, for messages; read fresh. */
    public String writtenByRelease() {
        return postgres.withConnection(c -> DatabaseTable.read(c, "").writtenByRelease(), "reading the database's version");
    }

    /**
     * Loads a dataset by name: records that it was loaded, upgrades it lazily to the database's
     * version if this client knows that version and no migration of the database the other way
     * is recorded, then checks that this client accepts the version it is at.
     */
    public DatasetRecord load(String name) {
        if (loads.incrementAndGet() == LOADS_BEFORE_WATCHING) {
            watch.start();
        }
        // the version kept is read before the row. Kept, it may be behind a move not yet heard
        // of: the load then uses the dataset as a load just before the move would; whenever the
        // row and the version disagree, the record is read afresh below, under its rules
        Optional<String> kept = watch.known();
        DatasetTable.Loaded loaded = postgres.withConnection(c -> kept.isPresent()
                ? DatasetTable.byName(c, name).map(r -> new DatasetTable.Loaded(r, kept.get()))
                : DatasetTable.load(c, name), "loading a dataset")
                .orElseThrow(() -> DatasetTable.missing(name));
        // one statement, the dataset's row (and the database's version, unless the watch keeps
        // it); a sample table that is missing (a damaged database) is reported by the first
        // operation that reads or writes it
        DatasetRecord found = loaded.dataset();
        DatabaseState known = state;
        if (known == null || !found.version().toString().equals(loaded.databaseVersion())) {
            found = upgradeIfOutdated(found);
            known = state;
        }
        // every check passed: only now is the load recorded, so that a refusal writes nothing
        DatasetCompatibility.workingVersion(model, found, known.writtenByRelease());
        if (DatasetTable.loadTimeIsStale(found)) {
            DatasetRecord checked = found;
            postgres.withConnection(c -> {
                DatasetTable.touchIfStale(c, checked);
                return null;
            }, "recording the load of a dataset");
        }
        return found;
    }

    /**
     * Reads the database's record afresh and, if the dataset is older than the database, this
     * client knows the way, and no migration the other way is recorded, upgrades it lazily.
     */
    private DatasetRecord upgradeIfOutdated(DatasetRecord found) {
        String name = found.name();
        DatabaseState db = postgres.withConnection(c -> DatabaseTable.read(c, ""), "reading the database's version");
        Connect.Decision decision = connect.decide(db);
        if (decision instanceof Connect.Decision.Refuse r && r.reason() instanceof DamagedDatabaseException damaged) {
            throw damaged;
        }
        state = db;
        Version d = db.version();
        if (found.version().isAfter(d)) {
            throw new DamagedDatabaseException("the dataset " + Texts.quoted(name) + " is at data model "
                    + found.version() + " but the database is at " + d + ": a dataset is never ahead of its database,"
                    + " so its record was tampered with. An admin brings it back with a client that knows "
                    + found.version() + ": {0}", List.of(new Remedy.Migrate(MigrationRequest.named(name).to(d))), null);
        }
        if (found.version().isBefore(model.version()) && !model.knows(found.version())) {
            throw new DamagedDatabaseException("the dataset " + Texts.quoted(name) + " is recorded at version "
                    + found.version() + ", which is no data model version Cairn ever had (they are " + model.versions()
                    + "): its record was tampered with. Nothing was changed.");
        }
        boolean against = db.pending().filter(p -> p.target().isBefore(d)).isPresent();
        if (found.version().isBefore(d) && model.knows(d) && !against) {
            steps.dataset(found, d, "load: lazy upgrade", true);
            long id = found.id();
            return postgres.withConnection(c -> DatasetTable.byId(c, id), "loading a dataset")
                    .orElseThrow(() -> DatasetTable.gone(name));
        }
        return found;
    }

    /**
     * The version a dataset created now is created at, read under the database record's shared
     * lock in the creating transaction: the database's version (or this client's, if older), and
     * never above a downgrade under way.
     */
    public Version versionForNewDataset(Connection tx) throws SQLException {
        DatabaseState db = DatabaseTable.readShared(tx, feedback);
        Version v = Version.min(db.version(), model.version());
        if (db.pending().isPresent()) {
            v = Version.min(v, db.pending().get().target());
        }
        return model.knows(v) ? v : model.version();
    }

    /**
     * The version this client works at on the database as a whole, read in the caller's
     * transaction under the record's shared lock, so that it cannot move until that transaction ends.
     */
    public Version databaseWorkingVersion(Connection tx) throws SQLException {
        return Version.min(DatabaseTable.readShared(tx, feedback).version(), model.version());
    }

    /** Tells who migrates a dataset, for clients that wait for it. */
    public Optional<String> describeMigration(Connection c, long datasetId) throws SQLException {
        return Locks.describeDataset(c, datasetId);
    }

    /** What {@code cairn migrate --info} shows; changes nothing. */
    public MigrationInfo info() {
        Optional<DatabaseState> found = connect.inspect();
        Version c = model.version();
        Version from = c;
        List<Version> versions = model.versions();
        for (int i = versions.size() - 1; i > 0; i--) {
            Version v = versions.get(i);
            if (model.between(versions.get(i - 1), v).stream().anyMatch(r -> !r.compatible())) {
                break;
            }
            from = versions.get(i - 1);
        }
        if (found.isEmpty()) {
            return new MigrationInfo(model.release(), c, from, postgres.description(), Optional.empty(),
                    Optional.empty(), "there is no Cairn database here yet; the first client creates it at " + c
                    + (postgres.isLocal() ? "" : " (on a shared server, only an admin)"), List.of(), List.of(), false);
        }
        DatabaseState db = found.get();
        Connect.Decision decision = connect.decide(db);
        String verdict;
        boolean damaged = false;
        Optional<Version> workAt = Optional.empty();
        if (decision instanceof Connect.Decision.Work w) {
            workAt = Optional.of(w.working());
            verdict = w.working().equals(c) ? "works with it as it is"
                    : "works with it at data model " + w.working();
        } else if (decision instanceof Connect.Decision.Upgrade) {
            workAt = Optional.of(c);
            verdict = "upgrades it to " + c + " when it next connects (policy auto, admin)";
        } else {
            RuntimeException reason = ((Connect.Decision.Refuse) decision).reason();
            damaged = reason instanceof DamagedDatabaseException;
            verdict = (damaged ? "damaged: " : "refused: ") + reason.getMessage();
        }
        List<DatasetStatus> datasets = new ArrayList<>();
        List<HistoryEntry> interrupted = postgres.withConnection(cn -> {
            Map<Long, String> migrating = migratingNow(cn);
            for (DatasetRecord r : DatasetTable.list(cn)) {
                datasets.add(new DatasetStatus(r.name(), r.version(), r.sampleCount(), status(r, db, migrating)));
            }
            return History.interrupted(cn);
        }, "reading the datasets");
        return new MigrationInfo(model.release(), c, from, postgres.description(), found, workAt, verdict, datasets,
                interrupted, damaged);
    }

    private static Map<Long, String> migratingNow(Connection c) throws SQLException {
        Map<Long, String> out = new HashMap<>();
        Statements.each(c, "SELECT h.dataset_id, h.database_user, h.to_version, h.started_at"
                + " FROM cairn.history h JOIN pg_stat_activity a ON a.pid = h.backend_pid"
                + " AND (a.backend_start IS NULL OR a.backend_start IS NOT DISTINCT FROM h.backend_start)"
                + " WHERE h.outcome = 'running' AND h.dataset_id IS NOT NULL",
                rs -> out.put(rs.getLong(1), "migrating now to " + rs.getString(3) + " by " + rs.getString(2) + " since "
                        + rs.getTimestamp(4).toInstant()));
        return out;
    }

    private String status(DatasetRecord r, DatabaseState db, Map<Long, String> migrating) {
        if (migrating.containsKey(r.id())) {
            return migrating.get(r.id());
        }
        Version v = r.version();
        Version c = model.version();
        Version d = db.version();
        if (v.isAfter(d)) {
            return "damaged: ahead of the database (" + d + ")";
        }
        if (v.isBefore(d)) {
            if (db.pending().filter(p -> p.target().isBefore(d)).isPresent()) {
                return "stays at " + v + " while the database is migrated down";
            }
            if (model.knows(d)) {
                return "upgrades to " + d + " when next loaded";
            }
        }
        if (v.isAfter(c)) {
            return r.minClientVersion().isAtMost(c) ? "newer than this client, which works with it as " + c
                    : "needs a newer client (data model " + r.minClientVersion() + " or newer)";
        }
        if (v.isBefore(c) && model.between(v, c, Revision.Scope.DATASET).stream().anyMatch(x -> !x.compatible())) {
            return "older than this client, which cannot use it until it is upgraded";
        }
        return v.equals(d) ? "up to date" : "usable as it is";
    }

    /** What {@code cairn migrate} would do; changes nothing. */
    public MigrationPlan plan(MigrationRequest request) {
        return migrator.plan(request);
    }

    /** Runs {@code cairn migrate}: needs admin; refuses before changing anything if any part cannot be done. */
    public MigrationResult migrate(MigrationRequest request, String askedAs) {
        return migrator.run(request, askedAs);
    }

    /**
     * Sets who may move the database's version: {@code auto} (a newer admin client upgrades it on
     * connecting) or {@code manual} (only {@code cairn migrate}). Needs admin.
     */
    public DatabaseState setPolicy(Policy policy) {
        if (!admin) {
            throw new RefusedException("only an admin sets the database's policy: run it as admin: {0}. Nothing was"
                    + " changed.", List.of(new Remedy.SetPolicy(policy)));
        }
        return postgres.inTransaction(c -> {
            if (DatabaseTable.presence(c) != DatabaseTable.Presence.PRESENT) {
                throw new dev.cairn.api.NotFoundException("there is no Cairn database in the " + postgres.description()
                        + " yet; create it first: {0}", List.of(new Remedy.Migrate(MigrationRequest.database())));
            }
            DatabaseTable.readExclusive(c, feedback);
            DatabaseTable.setPolicy(c, policy);
            return DatabaseTable.read(c, "");
        }, "setting the database's policy");
    }

    private void requireAdminIntent(String doing, Remedy asAdmin) {
        if (!admin) {
            throw new RefusedException(doing + " is for admins: run it as admin: {0}. Nothing was changed.",
                    List.of(asAdmin));
        }
    }

    private void requireShared(String doing) {
        if (postgres.isLocal()) {
            throw new dev.cairn.api.InvalidInputException(doing + " is for the privileges of a shared server"
                    + " (CAIRN_DATABASE_URI); the local database is yours alone");
        }
    }

    /**
     * Sets up the roles and privileges that enforce who may do what on a shared server, creating
     * the Cairn database first if there is none; running it again repairs what drifted. Needs a
     * PostgreSQL role that can create roles and owns the database.
     */
    public AdminSetup setUpPrivileges() {
        requireAdminIntent("setting up privileges", new Remedy.SetUpAccess());
        requireShared("setting up privileges");
        postgres.withConnection(c -> {
            Privileges.requireSetUpRights(c, Privileges.database(c));
            return null;
        }, "checking the rights to set up privileges");
        boolean created = connect.inspect().isEmpty();
        if (created) {
            connect.initialise(model.version());
        }
        Privileges.Roles roles = postgres.inTransaction(tx -> Privileges.setUp(tx, model), "setting up privileges");
        return new AdminSetup(roles.admin(), roles.user(), created, users());
    }

    /** Makes a login role a Cairn user (or admin) of this database, creating it with the password if need be. */
    public void addUser(String name, char[] password, boolean asAdmin) {
        requireAdminIntent("adding a user", new Remedy.AddUser(name, asAdmin));
        requireShared("adding a user");
        postgres.inTransaction(c -> {
            Privileges.addUser(c, Privileges.Roles.of(Privileges.database(c)), name, password, asAdmin);
            return null;
        }, "adding the database user " + Texts.quoted(name));
    }

    /** Takes a login role's Cairn rights on this database away; returns whether it existed. */
    public boolean removeUser(String name) {
        requireAdminIntent("removing a user", new Remedy.RemoveUser(name));
        requireShared("removing a user");
        return postgres.inTransaction(c -> Privileges.removeUser(c, Privileges.Roles.of(Privileges.database(c)), name),
                "removing the database user " + Texts.quoted(name));
    }

    /** The login roles that are Cairn users or admins of this database. */
    public List<AdminSetup.DatabaseUser> users() {
        requireShared("listing the users");
        return postgres.withConnection(c -> Privileges.users(c, Privileges.Roles.of(Privileges.database(c))).stream()
                .map(u -> new AdminSetup.DatabaseUser(u.name(), u.admin())).toList(), "listing the database users");
    }

    /** The newest history entries first. */
    public List<HistoryEntry> history(int limit, String dataset) {
        return postgres.withConnection(c -> {
            if (DatabaseTable.presence(c) != DatabaseTable.Presence.PRESENT) {
                return List.<HistoryEntry>of();
            }
            return History.list(c, limit, dataset);
        }, "reading the migration history");
    }
}
