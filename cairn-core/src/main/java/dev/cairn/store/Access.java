package dev.cairn.store;

import dev.cairn.api.AccessLevel;
import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.DataModel;
import dev.cairn.api.DatasetAccess;
import dev.cairn.api.DatasetNames;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Remedy;
import dev.cairn.api.Revision;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.json.Json;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-dataset access on a shared database set up with {@code cairn admin init}, and the checked
 * paths through which regular users change records: {@code SECURITY DEFINER} functions owned by
 * the admin role, with a pinned {@code search_path}, that check who asks and what.
 *
 * <p>Regular users own nothing and create nothing, so whatever needs a table's owner (creating a
 * dataset's samples, a lazy upgrade, dropping a dataset) runs in these functions, never as code of
 * theirs. A lazy upgrade runs the SQL form of each dataset revision that an admin's client stored
 * in {@code cairn.dataset_revisions}: a regular user's client sends no code, only which dataset.
 * Reading goes through row-level security on the records and per-user grants on each sample
 * table, so that PostgreSQL, not the client, keeps a user to what they may see and change.
 */
public final class Access {

    private Access() {
    }

    /**
     * The advisory lock that guards the database's record for a transaction (see the migration
     * engine's DatabaseTable): taken shared by a lazy upgrade, exclusively by whoever moves the database.
     */
    public static final long RECORD_LOCK = 0x636169726e0003L;

    /** Placeholders of a revision's SQL form: the dataset's sample table, and the dataset's id. */
    public static final String TABLE = "{table}";
    public static final String DATASET = "{dataset}";

    /**
     * Whether this session must go through the checked paths: the database has them, and the
     * connected role cannot write the directory of datasets itself (it is no admin).
     */
    public static boolean confined(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regprocedure("
                + "'cairn.create_dataset(text,text,timestamptz,jsonb,text[],text[],jsonb)') IS NOT NULL AND NOT"
                + " has_table_privilege('cairn.datasets', 'INSERT')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Whether the database has per-dataset access (its admin ran {@code cairn admin init}). */
    public static boolean installed(Connection c) throws SQLException {
        return exists(c, "cairn.dataset_access");
    }

    /**
     * Installs (or repairs) the access layer: the owner and default level of each dataset, the
     * access list, the stored SQL of dataset revisions, the checked functions, the policies and
     * the grants. Run as the admin role's member or a superuser, with every Cairn object owned by
     * {@code admin}.
     */
    public static void install(Connection tx, String admin, String user, DataModel model, Version databaseVersion)
            throws SQLException {
        String a = Sql.ident(tx, admin);
        String u = Sql.ident(tx, user);
        String userLiteral = Sql.literal(tx, user);
        List<String> sql = new ArrayList<>();
        // datasets made before access control keep what every user could do with them: edit
        sql.add("ALTER TABLE cairn.datasets ADD COLUMN IF NOT EXISTS owner text");
        sql.add("ALTER TABLE cairn.datasets ALTER COLUMN owner SET DEFAULT session_user");
        sql.add("ALTER TABLE cairn.datasets ADD COLUMN IF NOT EXISTS default_access smallint NOT NULL DEFAULT 2"
                + " CHECK (default_access BETWEEN 0 AND 3)");
        sql.add("ALTER TABLE cairn.datasets ALTER COLUMN default_access SET DEFAULT 0");
        sql.add("""
                CREATE TABLE IF NOT EXISTS cairn.dataset_access (
                  dataset_id bigint NOT NULL REFERENCES cairn.datasets (id) ON DELETE CASCADE,
                  user_name text NOT NULL,
                  level smallint NOT NULL CHECK (level BETWEEN 0 AND 3),
                  granted_by text NOT NULL DEFAULT session_user,
                  granted_at timestamptz NOT NULL DEFAULT now(),
                  PRIMARY KEY (dataset_id, user_name)
                )""");
        sql.add("""
                CREATE TABLE IF NOT EXISTS cairn.dataset_revisions (
                  version text PRIMARY KEY,
                  compatible boolean NOT NULL,
                  up text[],
                  description text NOT NULL
                )""");
        sql.add("ALTER TABLE cairn.dataset_access OWNER TO " + a);
        sql.add("ALTER TABLE cairn.dataset_revisions OWNER TO " + a);
        for (String function : FUNCTIONS) {
            sql.add(function.replace("{definer}", DEFINER).replace("{user_role}", userLiteral)
                    .replace("{record_lock}", Long.toString(RECORD_LOCK)));
        }
        Sql.execute(tx, sql);
        sql.clear();
        // every function in Cairn's schema is the admin role's, and runs for nobody unless granted
        for (String signature : Sql.column(tx, "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = 'cairn'")) {
            sql.add("ALTER FUNCTION " + signature + " OWNER TO " + a);
            sql.add("REVOKE ALL ON FUNCTION " + signature + " FROM PUBLIC");
        }
        for (String granted : List.of("granted(bigint)", "access_level(bigint)",
                "create_dataset(text,text,timestamptz,jsonb,text[],text[],jsonb)", "delete_dataset(text)",
                "rename_dataset(text,text)", "upgrade_dataset(bigint,text,text)", "record_load(bigint)",
                "set_access(bigint,text,smallint)", "set_default_access(bigint,smallint)", "lock_dataset(bigint)",
                "update_dataset(bigint,jsonb,text[],text[],jsonb,bigint,bigint)", "save_view(bigint,text,jsonb)",
                "delete_view(bigint,text)", "copy_views(bigint,bigint)",
                "history_start(bigint,text,text,text,text,text,text)", "history_finish(bigint,text,text)")) {
            sql.add("GRANT EXECUTE ON FUNCTION cairn." + granted + " TO " + u);
        }
        // the records: readable where visible, written through the functions above
        sql.add("REVOKE ALL ON cairn.datasets FROM " + u);
        sql.add("GRANT SELECT ON cairn.datasets TO " + u);
        sql.add("ALTER TABLE cairn.datasets ENABLE ROW LEVEL SECURITY");
        sql.add("DROP POLICY IF EXISTS visible ON cairn.datasets");
        sql.add("DROP POLICY IF EXISTS editable ON cairn.datasets");
        sql.add("CREATE POLICY visible ON cairn.datasets FOR SELECT USING (owner = session_user OR default_access >= 1"
                + " OR cairn.granted(id) >= 1)");
        // the history of a dataset one cannot see is not one's to see either
        sql.add("DROP POLICY IF EXISTS readable ON cairn.history");
        sql.add("CREATE POLICY readable ON cairn.history FOR SELECT USING (dataset_id IS NULL OR database_user = session_user"
                + " OR cairn.access_level(dataset_id) >= 1)");
        sql.add("REVOKE ALL ON cairn.dataset_access FROM " + u);
        sql.add("GRANT SELECT ON cairn.dataset_access TO " + u);
        sql.add("ALTER TABLE cairn.dataset_access ENABLE ROW LEVEL SECURITY");
        sql.add("DROP POLICY IF EXISTS visible ON cairn.dataset_access");
        sql.add("CREATE POLICY visible ON cairn.dataset_access FOR SELECT USING (cairn.access_level(dataset_id) >= 1)");
        sql.add("REVOKE ALL ON cairn.dataset_revisions FROM " + u);
        sql.add("GRANT SELECT ON cairn.dataset_revisions TO " + u);
        if (exists(tx, "cairn.saved_views")) {
            sql.add("REVOKE ALL ON cairn.saved_views FROM " + u);
            sql.add("GRANT SELECT ON cairn.saved_views TO " + u);
            sql.add("ALTER TABLE cairn.saved_views ENABLE ROW LEVEL SECURITY");
            for (String policy : List.of("readable", "writable", "changeable", "removable")) {
                sql.add("DROP POLICY IF EXISTS " + policy + " ON cairn.saved_views");
            }
            sql.add("CREATE POLICY readable ON cairn.saved_views FOR SELECT USING (cairn.access_level(dataset_id) >= 1)");
            sql.add("ALTER TABLE cairn.saved_views ALTER COLUMN created_by SET DEFAULT session_user");
        }
        Sql.execute(tx, sql);
        storeRevisions(tx, model, databaseVersion);
    }

    /**
     * Gives every user the rights on every sample table that the access lists grant: once, when
     * access control is set up or repaired ({@code cairn admin init}); each step that makes or
     * migrates a dataset keeps its own table's rights (see {@link SampleTable#giveToOwner}).
     */
    public static void regrantAll(Connection tx) throws SQLException {
        for (String id : Sql.column(tx, "SELECT id FROM cairn.datasets")) {
            regrant(tx, Long.parseLong(id));
        }
    }

    /**
     * Stores the SQL form of every dataset revision up to the database's version, which the
     * checked functions run for regular users; a revision without one is stored without, and
     * then only an admin's client can apply it.
     */
    public static void storeRevisions(Connection tx, DataModel model, Version databaseVersion) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.execute("DELETE FROM cairn.dataset_revisions");
        }
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO cairn.dataset_revisions (version, compatible, up,"
                + " description) VALUES (?, ?, ?, ?)")) {
            for (Revision r : model.between(Version.of(0, 0, 0), databaseVersion, Revision.Scope.DATASET)) {
                Statements.bind(ps, 1, java.util.Arrays.asList(r.version().toString(), r.compatible(),
                        r.upSql().isEmpty() ? null : DatasetTable.texts(r.upSql().get()), Statements.text(r.description())));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Gives each user the rights on a dataset's sample table that their access level grants. */
    public static void regrant(Connection tx, long datasetId) throws SQLException {
        Statements.execute(tx, "SELECT cairn.regrant(?)", datasetId);
    }

    /**
     * Takes away what a user was granted on every dataset, when they stop being a Cairn user:
     * their access list entries and their grants on the sample tables.
     */
    public static void forget(Connection tx, String user) throws SQLException {
        if (!installed(tx)) {
            return;
        }
        Statements.update(tx, "DELETE FROM cairn.dataset_access WHERE user_name = ?", Statements.text(user));
        Sql.execute(tx, List.of("REVOKE ALL ON ALL TABLES IN SCHEMA cairn_data FROM " + Sql.ident(tx, user)));
    }

    /** Creates a dataset through the checked path: the caller owns it and manages it. */
    public static long createDataset(Connection tx, String name, Version version, DatasetTable.Contents contents)
            throws SQLException {
        DatasetNames.check(name);
        try {
            return Statements.value(tx, "SELECT cairn.create_dataset(?, ?, ?, ?::jsonb, ?, ?, ?::jsonb)",
                    rs -> rs.getLong(1), name, version.toString(), contents.createdAt(), Json.write(contents.info()),
                    DatasetTable.texts(contents.tags()), DatasetTable.texts(contents.classes()),
                    Json.write(Json.encodeSchema(contents.fields())));
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new AlreadyExistsException("a dataset named " + Texts.quoted(name) + " exists already");
            }
            throw refusal(e);
        }
    }

    /** Deletes a dataset through the checked path; returns whether one the caller can see existed. */
    public static boolean deleteDataset(Connection tx, String name) throws SQLException {
        try {
            return Statements.value(tx, "SELECT cairn.delete_dataset(?)", rs -> {
                rs.getLong(1);
                return !rs.wasNull();
            }, Statements.text(name));
        } catch (SQLException e) {
            throw refusal(e);
        }
    }

    /** Renames a dataset through the checked path. */
    public static void renameDataset(Connection tx, String from, String to) throws SQLException {
        DatasetNames.check(to);
        try {
            if (!Statements.value(tx, "SELECT cairn.rename_dataset(?, ?)", rs -> rs.getBoolean(1),
                    Statements.text(from), to)) {
                throw DatasetTable.missing(from);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new AlreadyExistsException("a dataset named " + Texts.quoted(to) + " exists already; "
                        + Texts.quoted(from) + " keeps its name");
            }
            throw refusal(e);
        }
    }

    /**
     * Upgrades a dataset lazily through the checked path, from {@code from} to {@code to} (the
     * database's version); returns null when done, else why it was left as it is.
     */
    public static String upgradeDataset(Connection tx, long id, Version from, Version to) throws SQLException {
        try {
            return Statements.value(tx, "SELECT cairn.upgrade_dataset(?, ?, ?)", rs -> rs.getString(1), id,
                    from.toString(), to.toString());
        } catch (SQLException e) {
            throw refusal(e);
        }
    }

    /** Records a load through the checked path (a viewer may not write the dataset's row). */
    public static void recordLoad(Connection c, long id) throws SQLException {
        Statements.execute(c, "SELECT cairn.record_load(?)", id);
    }

    /** Who may do what with a dataset. */
    public static DatasetAccess read(Connection c, String dataset) throws SQLException {
        requireInstalled(c);
        record Row(long id, String owner, AccessLevel defaultLevel) {
        }
        Row row = Statements.one(c, "SELECT id, owner, default_access FROM cairn.datasets WHERE name = ?",
                rs -> new Row(rs.getLong(1), rs.getString(2), AccessLevel.of(rs.getInt(3))), Statements.text(dataset))
                .orElseThrow(() -> DatasetTable.missing(dataset));
        Map<String, AccessLevel> users = new LinkedHashMap<>();
        Statements.each(c, "SELECT user_name, level FROM cairn.dataset_access WHERE dataset_id = ? ORDER BY user_name",
                rs -> users.put(rs.getString(1), AccessLevel.of(rs.getInt(2))), row.id());
        AccessLevel mine = Statements.value(c, "SELECT cairn.access_level(?)", rs -> AccessLevel.of(rs.getInt(1)),
                row.id());
        return new DatasetAccess(dataset, java.util.Optional.ofNullable(row.owner()), row.defaultLevel(), users, mine);
    }

    /** Gives a user a level of access to a dataset, or takes their own level away ({@code level} null). */
    public static void setAccess(Connection tx, String dataset, String user, AccessLevel level) throws SQLException {
        requireInstalled(tx);
        long id = visibleId(tx, dataset);
        try {
            Statements.execute(tx, "SELECT cairn.set_access(?, ?, ?::smallint)", id, Statements.text(user),
                    level == null ? null : level.rank());
        } catch (SQLException e) {
            throw refusal(e);
        }
    }

    /** Sets the level every regular user has on a dataset unless granted more. */
    public static void setDefault(Connection tx, String dataset, AccessLevel level) throws SQLException {
        requireInstalled(tx);
        long id = visibleId(tx, dataset);
        try {
            Statements.execute(tx, "SELECT cairn.set_default_access(?, ?::smallint)", id, level.rank());
        } catch (SQLException e) {
            throw refusal(e);
        }
    }

    private static long visibleId(Connection c, String dataset) throws SQLException {
        return Statements.one(c, "SELECT id FROM cairn.datasets WHERE name = ?", rs -> rs.getLong(1),
                Statements.text(dataset))
                .orElseThrow(() -> DatasetTable.missing(dataset));
    }

    private static void requireInstalled(Connection c) throws SQLException {
        if (!installed(c)) {
            throw new RefusedException("this database has no per-dataset access: every user of it may use every"
                    + " dataset. An admin sets access control up on a shared server with '{0}'.",
                    List.of(new Remedy.SetUpAccess()));
        }
    }

    /**
     * A checked function's refusal (SQLSTATE 42501 or P0002, raised with a message for people)
     * as Cairn's own exception; anything else as it came.
     */
    static SQLException refusal(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int at = message.indexOf("cairn: ");
        if (at >= 0) {
            String text = message.substring(at + "cairn: ".length());
            int end = text.indexOf("\n");
            text = end >= 0 ? text.substring(0, end) : text;
            if ("P0002".equals(e.getSQLState())) {
                throw new NotFoundException(text);
            }
            if ("42501".equals(e.getSQLState()) || "22023".equals(e.getSQLState())) {
                Optional<Hinted> hinted = hinted(e);
                throw hinted.isEmpty() ? new RefusedException(text)
                        : new RefusedException(text + hinted.get().lead(), List.of(hinted.get().remedy()));
            }
        }
        return e;
    }

    /**
     * What to do, as a check of Cairn's in the database names it in its hint ({@code cairn-remedy:
     * add-user alice}), with the words that lead to it from the check's message.
     */
    record Hinted(String lead, Remedy remedy) {
    }

    static Optional<Hinted> hinted(SQLException e) {
        String hint = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getHint() : null;
        if (hint == null || !hint.startsWith("cairn-remedy: ")) {
            return Optional.empty();
        }
        String[] words = hint.substring("cairn-remedy: ".length()).split(" ", 2);
        String argument = words.length > 1 ? words[1] : "";
        return switch (words[0]) {
            case "add-user" -> Optional.of(new Hinted(": {0}", new Remedy.AddUser(argument, false)));
            case "migrate-all" -> Optional.of(new Hinted(": {0}", new Remedy.Migrate(MigrationRequest.all())));
            case "list-users" -> Optional.of(new Hinted(" ('{0}' lists them)", new Remedy.ListUsers()));
            case "grant" -> Optional.of(new Hinted(" with '{0}'. Nothing was changed.", new Remedy.Grant(argument)));
            default -> Optional.empty();
        };
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        return Statements.value(c, "SELECT to_regclass(?) IS NOT NULL", rs -> rs.getBoolean(1), table);
    }

    /** Every function pins its search_path: nothing a user created can stand in for what it calls. */
    private static final String DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp";

    /**
     * The checked paths. {user_role} is the quoted name of the database's user role, whose members
     * (regular users, and admins through theirs) are Cairn's users.
     */
    private static final List<String> FUNCTIONS = List.of(
            "CREATE OR REPLACE FUNCTION cairn.version_key(v text) RETURNS int[] LANGUAGE sql IMMUTABLE STRICT"
                    + " SET search_path = pg_catalog, pg_temp AS $$ SELECT string_to_array(v, '.')::int[] $$",
            "CREATE OR REPLACE FUNCTION cairn.is_admin() RETURNS boolean LANGUAGE sql STABLE " + DEFINER + " AS $$"
                    + " SELECT pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'cairn'),"
                    + " 'MEMBER') $$",
            "CREATE OR REPLACE FUNCTION cairn.granted(dataset bigint) RETURNS smallint LANGUAGE sql STABLE " + DEFINER
                    + " AS $$ SELECT coalesce((SELECT a.level FROM cairn.dataset_access a WHERE a.dataset_id = dataset"
                    + " AND a.user_name = session_user), 0::smallint) $$",
            "CREATE OR REPLACE FUNCTION cairn.access_level(dataset bigint) RETURNS smallint LANGUAGE sql STABLE " + DEFINER
                    + " AS $$ SELECT coalesce((SELECT CASE WHEN cairn.is_admin() OR d.owner = session_user THEN 3::smallint"
                    + " ELSE greatest(d.default_access, cairn.granted(d.id)) END FROM cairn.datasets d WHERE d.id = dataset),"
                    + " 0::smallint) $$",
            """
            CREATE OR REPLACE FUNCTION cairn.require_user() RETURNS void LANGUAGE plpgsql STABLE {definer} AS $$
            BEGIN
              IF NOT pg_has_role(session_user, {user_role}, 'MEMBER') THEN
                RAISE EXCEPTION 'cairn: the database user % is not a Cairn user of this database: an admin adds users',
                  session_user USING ERRCODE = '42501', HINT = 'cairn-remedy: add-user ' || session_user;
              END IF;
            END $$""",
            // the oldest data model that reads a dataset at v: that of the newest incompatible revision up to v
            """
            CREATE OR REPLACE FUNCTION cairn.oldest_accepting(v text) RETURNS text LANGUAGE sql STABLE {definer} AS $$
              SELECT coalesce((SELECT r.version FROM cairn.dataset_revisions r
                WHERE NOT r.compatible AND cairn.version_key(r.version) <= cairn.version_key(v)
                ORDER BY cairn.version_key(r.version) DESC LIMIT 1),
                (SELECT r.version FROM cairn.dataset_revisions r ORDER BY cairn.version_key(r.version) LIMIT 1))
            $$""",
            // runs the stored SQL of every dataset revision in (from, to] on the dataset's sample table
            """
            CREATE OR REPLACE FUNCTION cairn.build_samples(dataset bigint, from_version text, to_version text)
            RETURNS void LANGUAGE plpgsql {definer} AS $$
            DECLARE r record; statement text; t text := format('cairn_data.%I', 'samples_' || dataset);
            BEGIN
              IF NOT EXISTS (SELECT 1 FROM cairn.dataset_revisions WHERE version = to_version)
                 AND to_version <> from_version THEN
                RAISE EXCEPTION 'cairn: % is not a dataset version this database knows', to_version USING ERRCODE = '22023';
              END IF;
              FOR r IN SELECT * FROM cairn.dataset_revisions
                       WHERE cairn.version_key(version) > cairn.version_key(from_version)
                         AND cairn.version_key(version) <= cairn.version_key(to_version)
                       ORDER BY cairn.version_key(version) LOOP
                IF r.up IS NULL THEN
                  RAISE EXCEPTION 'cairn: revision % (%) can only be applied by an admin''s client: ask an admin to'
                    ' migrate every dataset', r.version, r.description USING ERRCODE = '42501',
                    HINT = 'cairn-remedy: migrate-all';
                END IF;
                FOREACH statement IN ARRAY r.up LOOP
                  EXECUTE replace(replace(statement, '{table}', t), '{dataset}', dataset::text);
                END LOOP;
              END LOOP;
            END $$""",
            // the rights each user has on a dataset's sample table, from the dataset's access list
            """
            CREATE OR REPLACE FUNCTION cairn.regrant(dataset bigint) RETURNS void LANGUAGE plpgsql {definer} AS $$
            DECLARE t text := format('cairn_data.%I', 'samples_' || dataset); d record; g record; who text;
            BEGIN
              SELECT * INTO d FROM cairn.datasets WHERE id = dataset;
              IF NOT FOUND OR to_regclass(t) IS NULL THEN RETURN; END IF;
              FOR who IN SELECT DISTINCT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
                         FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) x LEFT JOIN pg_roles r ON r.oid = x.grantee
                         WHERE c.oid = t::regclass AND x.grantee <> c.relowner LOOP
                EXECUTE format('REVOKE ALL ON %s FROM %s', t, who);
              END LOOP;
              EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', t);
              IF d.default_access >= 2 THEN
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t, {user_role});
              ELSIF d.default_access = 1 THEN
                EXECUTE format('GRANT SELECT ON %s TO %I', t, {user_role});
              END IF;
              IF d.owner IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = d.owner
                                                 AND pg_has_role(r.oid, {user_role}, 'MEMBER')) THEN
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t, d.owner);
              END IF;
              FOR g IN SELECT a.user_name, a.level FROM cairn.dataset_access a JOIN pg_roles r ON r.rolname = a.user_name
                       WHERE a.dataset_id = dataset AND a.level >= 1 AND pg_has_role(r.oid, {user_role}, 'MEMBER') LOOP
                IF g.level >= 2 THEN
                  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t, g.user_name);
                ELSE
                  EXECUTE format('GRANT SELECT ON %s TO %I', t, g.user_name);
                END IF;
              END LOOP;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.create_dataset(name text, version text, created timestamptz, info jsonb,
              tags text[], classes text[], fields jsonb) RETURNS bigint LANGUAGE plpgsql {definer} AS $$
            DECLARE made bigint;
            BEGIN
              PERFORM cairn.require_user();
              IF name IS NULL OR length(name) NOT BETWEEN 1 AND 200 OR name ~ '[[:cntrl:]]' THEN
                RAISE EXCEPTION 'cairn: a dataset''s name is 1 to 200 characters without control characters'
                  USING ERRCODE = '22023';
              END IF;
              IF version IS NULL OR NOT EXISTS (SELECT 1 FROM cairn.dataset_revisions r WHERE r.version = create_dataset.version) THEN
                RAISE EXCEPTION 'cairn: % is not a dataset version this database knows', version USING ERRCODE = '22023';
              END IF;
              INSERT INTO cairn.datasets (name, version, min_client_version, created_at, info, tags, classes, fields,
                                          owner, default_access)
                VALUES (name, version, cairn.oldest_accepting(version), coalesce(created, now()),
                        coalesce(info, '{}'), coalesce(tags, '{}'), coalesce(classes, '{}'), coalesce(fields, '[]'),
                        session_user, 0)
                RETURNING id INTO made;
              PERFORM cairn.build_samples(made, '0.0.0', version);
              PERFORM cairn.regrant(made);
              RETURN made;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.delete_dataset(name text) RETURNS bigint LANGUAGE plpgsql {definer} AS $$
            DECLARE target bigint;
            BEGIN
              PERFORM cairn.require_user();
              SELECT d.id INTO target FROM cairn.datasets d WHERE d.name = delete_dataset.name FOR UPDATE;
              IF NOT FOUND OR cairn.access_level(target) < 1 THEN RETURN NULL; END IF;
              PERFORM cairn.require_level(target, 3::smallint, 'deleting');
              DELETE FROM cairn.datasets WHERE id = target;
              EXECUTE format('DROP TABLE IF EXISTS cairn_data.%I', 'samples_' || target);
              EXECUTE format('DROP FUNCTION IF EXISTS cairn_data.%I()', 'samples_' || target || '_touch');
              RETURN target;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.rename_dataset(from_name text, to_name text) RETURNS boolean
            LANGUAGE plpgsql {definer} AS $$
            DECLARE target bigint;
            BEGIN
              PERFORM cairn.require_user();
              IF to_name IS NULL OR length(to_name) NOT BETWEEN 1 AND 200 OR to_name ~ '[[:cntrl:]]' THEN
                RAISE EXCEPTION 'cairn: a dataset''s name is 1 to 200 characters without control characters'
                  USING ERRCODE = '22023';
              END IF;
              SELECT d.id INTO target FROM cairn.datasets d WHERE d.name = from_name FOR UPDATE;
              IF NOT FOUND OR cairn.access_level(target) < 1 THEN RETURN false; END IF;
              PERFORM cairn.require_level(target, 3::smallint, 'renaming');
              UPDATE cairn.datasets SET name = to_name WHERE id = target;
              RETURN true;
            END $$""",
            // a lazy upgrade: only to the database's version, only up, never against a downgrade under way
            """
            CREATE OR REPLACE FUNCTION cairn.upgrade_dataset(dataset bigint, from_version text, to_version text)
            RETURNS text LANGUAGE plpgsql {definer} AS $$
            DECLARE db record; now_at text;
            BEGIN
              PERFORM cairn.require_user();
              IF cairn.access_level(dataset) < 1 THEN
                RAISE EXCEPTION 'cairn: there is no such dataset' USING ERRCODE = 'P0002';
              END IF;
              PERFORM pg_advisory_xact_lock_shared({record_lock});
              SELECT * INTO db FROM cairn.database;
              IF db.version IS DISTINCT FROM to_version THEN
                RETURN 'left as it is: the database is at ' || db.version || ' now';
              END IF;
              IF db.migration_target IS NOT NULL
                 AND cairn.version_key(db.migration_target) < cairn.version_key(db.version) THEN
                RETURN 'left as it is: the database is being migrated down to ' || db.migration_target;
              END IF;
              SELECT d.version INTO now_at FROM cairn.datasets d WHERE d.id = dataset FOR UPDATE;
              IF NOT FOUND THEN RETURN 'the dataset was deleted meanwhile'; END IF;
              IF now_at IS DISTINCT FROM from_version THEN
                RETURN 'another client moved it to ' || now_at || ' meanwhile';
              END IF;
              IF cairn.version_key(to_version) <= cairn.version_key(from_version) THEN
                RAISE EXCEPTION 'cairn: a lazy upgrade only goes up, not from % to %', from_version, to_version
                  USING ERRCODE = '42501';
              END IF;
              EXECUTE format('LOCK TABLE cairn_data.%I IN ACCESS EXCLUSIVE MODE', 'samples_' || dataset);
              PERFORM set_config('cairn.migrating', 'on', true);
              PERFORM cairn.build_samples(dataset, from_version, to_version);
              UPDATE cairn.datasets SET version = to_version, min_client_version = cairn.oldest_accepting(to_version)
                WHERE id = dataset;
              PERFORM cairn.regrant(dataset);
              RETURN NULL;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.record_load(dataset bigint) RETURNS void LANGUAGE plpgsql {definer} AS $$
            BEGIN
              IF cairn.access_level(dataset) >= 1 THEN
                UPDATE cairn.datasets SET last_loaded_at = now() WHERE id IN (SELECT id FROM cairn.datasets
                  WHERE id = dataset FOR NO KEY UPDATE SKIP LOCKED);
              END IF;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.set_access(dataset bigint, who text, level smallint) RETURNS void
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(dataset, 3::smallint, 'changing who may use');
              IF who IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = who AND r.rolcanlogin
                                            AND pg_has_role(r.oid, {user_role}, 'MEMBER')) THEN
                RAISE EXCEPTION 'cairn: % is not a user of this database', quote_literal(coalesce(who, ''))
                  USING ERRCODE = '22023', HINT = 'cairn-remedy: list-users';
              END IF;
              IF level IS NULL THEN
                DELETE FROM cairn.dataset_access a WHERE a.dataset_id = dataset AND a.user_name = who;
              ELSIF level NOT BETWEEN 0 AND 3 THEN
                RAISE EXCEPTION 'cairn: % is not an access level', level USING ERRCODE = '22023';
              ELSE
                INSERT INTO cairn.dataset_access (dataset_id, user_name, level) VALUES (dataset, who, level)
                  ON CONFLICT (dataset_id, user_name) DO UPDATE SET level = excluded.level,
                    granted_by = session_user, granted_at = now();
              END IF;
              PERFORM cairn.regrant(dataset);
            END $$""",
            // the one check of every checked path's level: a dataset below view does not exist for the
            // caller; doing says what a manage-level change is, for the refusal
            """
            CREATE OR REPLACE FUNCTION cairn.require_level(dataset bigint, wanted smallint, doing text DEFAULT NULL)
            RETURNS void LANGUAGE plpgsql STABLE {definer} AS $$
            DECLARE has smallint := cairn.access_level(dataset);
              named text := quote_literal((SELECT name FROM cairn.datasets WHERE id = dataset));
            BEGIN
              PERFORM cairn.require_user();
              IF has < 1 THEN
                RAISE EXCEPTION 'cairn: there is no such dataset' USING ERRCODE = 'P0002';
              END IF;
              IF has < wanted AND wanted >= 3 THEN
                RAISE EXCEPTION 'cairn: % the dataset % needs manage access to it, which the database user % has not:'
                  ' its owner or an admin can grant it', doing, named, session_user USING ERRCODE = '42501';
              END IF;
              IF has < wanted THEN
                RAISE EXCEPTION 'cairn: the database user % may view the dataset % but not change it: its owner or an'
                  ' admin can give edit access', session_user, named
                  USING ERRCODE = '42501', HINT = 'cairn-remedy: grant ' || (SELECT name FROM cairn.datasets WHERE id = dataset);
              END IF;
            END $$""",
            // an editor's write locks the dataset's row for the transaction, as Cairn's writes do
            """
            CREATE OR REPLACE FUNCTION cairn.lock_dataset(dataset bigint) RETURNS void LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(dataset, 2::smallint);
              PERFORM 1 FROM cairn.datasets WHERE id = dataset FOR NO KEY UPDATE;
            END $$""",
            // what an editor changes in a dataset's record; null leaves a column as it is
            """
            CREATE OR REPLACE FUNCTION cairn.update_dataset(dataset bigint, new_info jsonb, new_tags text[],
              new_classes text[], new_fields jsonb, count_delta bigint, new_count bigint) RETURNS void
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(dataset, 2::smallint);
              IF new_info IS NOT NULL AND jsonb_typeof(new_info) <> 'object' THEN
                RAISE EXCEPTION 'cairn: a dataset''s info is a JSON object' USING ERRCODE = '22023';
              END IF;
              IF new_fields IS NOT NULL AND (jsonb_typeof(new_fields) <> 'array' OR EXISTS (
                   SELECT 1 FROM jsonb_array_elements(new_fields) f WHERE jsonb_typeof(f) <> 'object'
                     OR jsonb_typeof(f -> 'name') IS DISTINCT FROM 'string'
                     OR jsonb_typeof(f -> 'type') IS DISTINCT FROM 'string')
                 OR (SELECT count(DISTINCT f ->> 'name') <> count(*) FROM jsonb_array_elements(new_fields) f)) THEN
                RAISE EXCEPTION 'cairn: a field schema is a list of {"name": ..., "type": ...} with distinct names'
                  USING ERRCODE = '22023';
              END IF;
              IF new_count < 0 THEN
                RAISE EXCEPTION 'cairn: a sample count is not negative' USING ERRCODE = '22023';
              END IF;
              UPDATE cairn.datasets SET info = coalesce(new_info, info), tags = coalesce(new_tags, tags),
                classes = coalesce(new_classes, classes), fields = coalesce(new_fields, fields),
                sample_count = coalesce(new_count, sample_count + coalesce(count_delta, 0))
                WHERE id = dataset;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.save_view(dataset bigint, view_name text, view_query jsonb) RETURNS void
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(dataset, 2::smallint);
              INSERT INTO cairn.saved_views (dataset_id, name, query, created_by) VALUES (dataset, view_name, view_query,
                session_user) ON CONFLICT (dataset_id, name) DO UPDATE SET query = excluded.query, created_at = now(),
                created_by = session_user;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.delete_view(dataset bigint, view_name text) RETURNS boolean
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(dataset, 2::smallint);
              DELETE FROM cairn.saved_views v WHERE v.dataset_id = dataset AND v.name = view_name;
              RETURN FOUND;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.copy_views(from_dataset bigint, to_dataset bigint) RETURNS void
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(from_dataset, 1::smallint);
              PERFORM cairn.require_level(to_dataset, 2::smallint);
              INSERT INTO cairn.saved_views (dataset_id, name, query, created_by)
                SELECT to_dataset, v.name, v.query, session_user FROM cairn.saved_views v WHERE v.dataset_id = from_dataset;
            END $$""",
            // history: a regular user writes only entries of their own lazy upgrades, each finished once
            """
            CREATE OR REPLACE FUNCTION cairn.history_start(dataset bigint, dataset_name text, from_version text,
              to_version text, by_whom text, client_release text, command text) RETURNS bigint
            LANGUAGE plpgsql {definer} AS $$
            DECLARE made bigint;
            BEGIN
              PERFORM cairn.require_level(dataset, 1::smallint);
              INSERT INTO cairn.history (dataset_id, dataset_name, from_version, to_version, by_whom, database_user,
                                         client_release, command, backend_pid, backend_start)
                VALUES (dataset, dataset_name, from_version, to_version, by_whom, session_user, client_release, command,
                        pg_backend_pid(), (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()))
                RETURNING id INTO made;
              RETURN made;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.history_finish(entry bigint, outcome text, message text) RETURNS void
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_user();
              UPDATE cairn.history h SET finished_at = clock_timestamp(),
                duration_ms = (extract(epoch FROM clock_timestamp() - h.started_at) * 1000)::bigint,
                outcome = history_finish.outcome, message = history_finish.message
                WHERE h.id = entry AND h.database_user = session_user AND h.backend_pid = pg_backend_pid()
                  AND h.outcome = 'running' AND h.finished_at IS NULL;
              IF NOT FOUND THEN
                RAISE EXCEPTION 'cairn: history entry % is not a running entry of this session', entry
                  USING ERRCODE = '42501';
              END IF;
            END $$""",
            """
            CREATE OR REPLACE FUNCTION cairn.set_default_access(dataset bigint, level smallint) RETURNS void
            LANGUAGE plpgsql {definer} AS $$
            BEGIN
              PERFORM cairn.require_level(dataset, 3::smallint, 'changing who may use');
              IF level IS NULL OR level NOT BETWEEN 0 AND 3 THEN
                RAISE EXCEPTION 'cairn: % is not an access level', level USING ERRCODE = '22023';
              END IF;
              UPDATE cairn.datasets SET default_access = level WHERE id = dataset;
              PERFORM cairn.regrant(dataset);
            END $$""");
}
