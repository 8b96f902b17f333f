package dev.cairn.migrate;

import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.Feedback;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.PendingMigration;
import dev.cairn.api.migration.Policy;
import dev.cairn.dataset.Waits;
import dev.cairn.store.Sql;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Optional;

/**
 * The SQL of {@code cairn.database}, the one-row record of the database's version. Its layout
 * never changes: every release, however old, reads it to decide whether it may connect.
 */
final class DatabaseTable {

    /** Advisory lock keys, in PostgreSQL's one 64-bit key space of this database. */
    static final long INITIALISE_LOCK = 0x636169726e0001L;
    static final long MIGRATE_DATABASE_LOCK = 0x636169726e0002L;
    /**
     * Guards the record for a transaction: taken shared by whoever acts on the version it reads
     * (a lazy upgrade, a new dataset, a saved view), exclusively by whoever changes it (a database
     * step, recording a migration's destination, the policy). An advisory lock rather than a row
     * lock, because a row lock needs the right to write the record, which regular users lack.
     */
    static final long RECORD_LOCK = dev.cairn.store.Access.RECORD_LOCK;

    private static final String COLUMNS = "version, min_client_version, written_by_release, policy, pinned, updated_at,"
            + " migration_target, migration_release, migration_by, migration_since, migration_pid,"
            + " migration_backend_start";

    private DatabaseTable() {
    }

    /** What the database holds of Cairn. */
    enum Presence { NONE, PRESENT, PARTIAL }

    /**
     * Refuses records that contradict themselves or what this client knows of the releases: an
     * oldest accepted version above the version, or a version that the release which wrote it
     * could not have written.
     */
    static void checkConsistent(DatabaseState s, dev.cairn.api.DataModel model) {
        if (s.minClientVersion().isAfter(s.version())) {
            throw new DamagedDatabaseException("the database's record says it is at " + s.version() + " but accepts only"
                    + " clients of " + s.minClientVersion() + " or newer, which no release writes: it was tampered with."
                    + " Cairn will not guess; restore the record from a backup");
        }
        Version writer;
        try {
            writer = Version.parse(s.writtenByRelease());
        } catch (InvalidInputException e) {
            throw new DamagedDatabaseException("the database's record names " + Texts.quoted(s.writtenByRelease())
                    + " as the release that wrote it, which is not a release: it was tampered with. Cairn will not"
                    + " guess; restore the record from a backup");
        }
        model.findRelease(writer).ifPresent(r -> {
            if (s.version().isAfter(r.dataModel())) {
                throw new DamagedDatabaseException("the database is recorded at " + s.version() + " by release " + writer
                        + ", whose data model is " + r.dataModel() + ": no release writes that, so the record was"
                        + " tampered with. Cairn will not guess; restore the record from a backup");
            }
        });
    }

    static Presence presence(Connection c) throws SQLException {
        // plain catalog queries, not to_regclass(): a name looked up in this session before another
        // session created it can stay cached as missing until this one takes a lock on a table
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cairn'),"
                     + " EXISTS (SELECT 1 FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
                     + " WHERE n.nspname = 'cairn' AND t.relname = 'database'),"
                     + " EXISTS (SELECT 1 FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
                     + " WHERE n.nspname = 'cairn' AND t.relname = 'datasets')")) {
            rs.next();
            if (rs.getBoolean(2) && !rs.getBoolean(3)) {
                throw new DamagedDatabaseException("the database has a version record but no directory of datasets"
                        + " (cairn.datasets is missing): it was damaged or tampered with. Cairn changes nothing in it;"
                        + " restore it from a backup");
            }
            if (rs.getBoolean(2)) {
                return Presence.PRESENT;
            }
            return rs.getBoolean(1) ? Presence.PARTIAL : Presence.NONE;
        }
    }

    /** Creates the engine's own tables: the version record and the history. */
    static void createTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA cairn");
            s.execute("""
                    CREATE TABLE cairn.database (
                      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                      version text NOT NULL,
                      min_client_version text NOT NULL,
                      written_by_release text NOT NULL,
                      policy text NOT NULL CHECK (policy IN ('auto', 'manual')),
                      pinned boolean NOT NULL DEFAULT false,
                      created_at timestamptz NOT NULL DEFAULT now(),
                      updated_at timestamptz NOT NULL DEFAULT now(),
                      migration_target text,
                      migration_release text,
                      migration_by text,
                      migration_since timestamptz,
                      migration_pid integer,
                      migration_backend_start timestamptz
                    )""");
            History.createTable(s);
        }
        ensureMovedNotice(c);
    }

    /** The channel on which every change of {@code cairn.database} is announced (the payload says nothing). */
    static final String MOVED_CHANNEL = "cairn_database";

    /**
     * A trigger that announces every change of the record on {@link #MOVED_CHANNEL}, whichever
     * release's client makes it, so that long-lived clients may keep the database's version
     * instead of reading it with every load ({@link VersionWatch}). Created with the tables and
     * again (it replaces itself) by every step that moves the database and by {@code admin init}.
     * Anyone may send a notification on the channel: it only makes listeners read the record again.
     */
    static void ensureMovedNotice(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION cairn.database_moved() RETURNS trigger LANGUAGE plpgsql"
                    + " SET search_path = pg_catalog, pg_temp AS $$BEGIN PERFORM pg_notify('" + MOVED_CHANNEL
                    + "', ''); RETURN NULL; END$$");
            s.execute("CREATE OR REPLACE TRIGGER moved AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cairn.database"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION cairn.database_moved()");
        }
    }

    /** Whether the record announces its changes ({@link #ensureMovedNotice}): a database made before 0.6.0 may not. */
    static boolean announcesMoves(Connection c) throws SQLException {
        return Statements.value(c, "SELECT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = 'cairn.database'::regclass"
                + " AND t.tgname = 'moved' AND t.tgenabled <> 'D' AND NOT t.tgisinternal)", rs -> rs.getBoolean(1));
    }

    /** The database's version as a load reads it: null unless the record is exactly one row. */
    static String versionAlone(Connection c) throws SQLException {
        return Statements.value(c, DatasetTable.DATABASE_VERSION, rs -> rs.getString(1));
    }

    static void insert(Connection c, Version version, Version minClient, String release, Policy policy)
            throws SQLException {
        Statements.update(c, "INSERT INTO cairn.database (version, min_client_version,"
                + " written_by_release, policy) VALUES (?, ?, ?, ?)", version.toString(), minClient.toString(),
                Statements.text(release), Statements.text(policy.text()));
    }

    /** Reads the record, keeping it from changing until the caller's transaction ends. */
    static DatabaseState readShared(Connection tx, Feedback feedback) throws SQLException {
        lock(tx, "pg_advisory_xact_lock_shared", feedback);
        return read(tx, "");
    }

    /** Reads the record, keeping everyone else from acting on it until the caller's transaction ends. */
    static DatabaseState readExclusive(Connection tx, Feedback feedback) throws SQLException {
        lock(tx, "pg_advisory_xact_lock", feedback);
        return read(tx, "FOR UPDATE");
    }

    /** Takes the record's lock; whoever keeps it long (it is held for a step at most) is named. */
    private static void lock(Connection tx, String function, Feedback feedback) throws SQLException {
        Waits.patiently(tx, () -> {
            Statements.execute(tx, "SELECT " + function + "(?)", RECORD_LOCK);
            return null;
        }, c -> Locks.advisoryHolder(c, RECORD_LOCK), feedback, "the database's version record");
    }

    /** Reads the record; {@code lock} takes its row lock: "FOR UPDATE" or "". */
    static DatabaseState read(Connection c, String lock) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + COLUMNS + ", migration_pid IS NOT NULL AND EXISTS (SELECT 1 FROM"
                     + " pg_stat_activity a WHERE a.pid = d.migration_pid"
                     // a session's start is hidden from roles that may not read every session's statistics
                     // (a regular user, an admin who is no superuser): then its process id alone tells
                     + " AND (a.backend_start IS NULL OR a.backend_start = d.migration_backend_start))"
                     + " AS live FROM cairn.database d " + lock)) {
            if (!rs.next()) {
                throw new DamagedDatabaseException("the database's version record (cairn.database) is empty: it was"
                        + " tampered with. Cairn will not guess the version; restore the record from a backup");
            }
            DatabaseState state = read(rs);
            if (rs.next()) {
                throw new DamagedDatabaseException("the database has more than one version record (cairn.database):"
                        + " it was tampered with. Cairn will not guess which is right; restore it from a backup");
            }
            return state;
        }
    }

    private static DatabaseState read(ResultSet rs) throws SQLException {
        Version version = recorded(rs.getString("version"), "version");
        Version min = recorded(rs.getString("min_client_version"), "oldest accepted client version");
        String policyText = rs.getString("policy");
        Policy policy = Policy.parse(policyText);
        if (policy == null) {
            throw new DamagedDatabaseException("the database's policy is recorded as " + Texts.quoted(String.valueOf(policyText))
                    + ", which is neither auto nor manual: its record was tampered with");
        }
        Optional<PendingMigration> pending = Optional.empty();
        String target = rs.getString("migration_target");
        if (target != null) {
            Timestamp since = rs.getTimestamp("migration_since");
            pending = Optional.of(new PendingMigration(recorded(target, "migration target"),
                    rs.getString("migration_release"), rs.getString("migration_by"),
                    since == null ? null : since.toInstant(), rs.getBoolean("live")));
        }
        return new DatabaseState(version, min, rs.getString("written_by_release"), policy, rs.getBoolean("pinned"),
                rs.getTimestamp("updated_at").toInstant(), pending);
    }

    private static Version recorded(String text, String what) {
        try {
            return Version.parse(text);
        } catch (InvalidInputException e) {
            throw new DamagedDatabaseException("the database's " + what + " is recorded as "
                    + Texts.quoted(String.valueOf(text)) + ", which is not a version: its record (cairn.database) was"
                    + " tampered with. Cairn will not guess; restore the record from a backup");
        }
    }

    /** Records a new database version, with the oldest client version that can still use it. */
    static void setVersion(Connection c, Version version, Version minClient, String release) throws SQLException {
        Statements.update(c, "UPDATE cairn.database SET version = ?, min_client_version = ?,"
                + " written_by_release = ?, updated_at = now()", version.toString(), minClient.toString(),
                Statements.text(release));
    }

    static void setPinned(Connection c, boolean pinned) throws SQLException {
        Statements.update(c, "UPDATE cairn.database SET pinned = ?", pinned);
    }

    static void setPolicy(Connection c, Policy policy) throws SQLException {
        Statements.update(c, "UPDATE cairn.database SET policy = ?", Statements.text(policy.text()));
    }

    /**
     * Records that this session is moving the database to {@code target}, in a transaction of its
     * own that waits for lazy upgrades under way, so that every later one sees it.
     */
    static void setPending(Connection c, Version target, String release, String by, Feedback feedback)
            throws SQLException {
        Sql.inTransaction(c, tx -> {
            readExclusive(tx, feedback);
            writePending(tx, target, release, by);
            return null;
        });
    }

    private static void writePending(Connection c, Version target, String release, String by) throws SQLException {
        Statements.update(c, "UPDATE cairn.database SET migration_target = ?,"
                + " migration_release = ?, migration_by = ?, migration_since = now(), migration_pid = pg_backend_pid(),"
                + " migration_backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())",
                target.toString(), Statements.text(release), Statements.text(by));
    }

    static void clearPending(Connection c, Feedback feedback) throws SQLException {
        Sql.inTransaction(c, tx -> {
            readExclusive(tx, feedback);
            writeClear(tx);
            return null;
        });
    }

    private static void writeClear(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE cairn.database SET migration_target = NULL, migration_release = NULL,"
                    + " migration_by = NULL, migration_since = NULL, migration_pid = NULL, migration_backend_start = NULL");
        }
    }
}
