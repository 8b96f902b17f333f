package dev.cairn.migrate;

import dev.cairn.api.DataModel;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Remedy;
import dev.cairn.api.Texts;
import dev.cairn.store.Access;
import dev.cairn.store.SampleTable;
import dev.cairn.store.Sql;
import dev.cairn.store.Statements;
import org.postgresql.PGConnection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL roles and privileges that make a shared database enforce who may do what, not
 * merely trust {@code CAIRN_DATABASE_ADMIN}: a regular user can create and use datasets and let
 * them upgrade lazily, but cannot change the database's version, policy or records, nor run
 * database-level revisions, even with raw SQL over their own connection.
 *
 * <p>Two roles per database, neither of which can log in: the admin role owns every Cairn
 * object (schemas, records, sample tables, functions), and the user role owns nothing. Admin
 * logins act as the admin role; regular logins act as themselves, with the user role's
 * privileges and the grants of the datasets they were given (see {@link Access}, whose checked
 * functions are the only way a regular user changes a record or a table's structure). So code
 * that a regular user could plant never runs with an admin's rights: they can create nothing.
 */
final class Privileges {

    /** The two roles of one database. */
    record Roles(String admin, String user) {
        static Roles of(String database) {
            return new Roles(bounded("cairn_admin_" + database), bounded("cairn_user_" + database));
        }

        private static String bounded(String name) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            return bytes.length <= 63 ? name : new String(bytes, 0, 63, StandardCharsets.UTF_8).replace("\uFFFD", "");
        }
    }

    /** A login role of the database and what it may do. */
    record User(String name, boolean admin) {
    }

    private static final int MAX_ROLE_NAME = 63;

    private Privileges() {
    }

    static String database(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean exists(Connection c, String role) throws SQLException {
        return Statements.one(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", rs -> true, Statements.text(role))
                .isPresent();
    }

    /** Refuses unless the connected role can create roles and own the database's objects. */
    static void requireSetUpRights(Connection c, String database) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT r.rolsuper, r.rolcreaterole,"
                + " pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_roles r, pg_database d"
                + " WHERE r.rolname = current_user AND d.datname = current_database()")) {
            rs.next();
            boolean superuser = rs.getBoolean(1);
            if (!superuser && !(rs.getBoolean(2) && rs.getBoolean(3))) {
                throw new RefusedException("setting up privileges needs a PostgreSQL role that can create roles and owns"
                        + " the database " + Texts.quoted(database) + " (or a superuser); run '{0}' with"
                        + " such a role in CAIRN_DATABASE_URI. Nothing was changed.", List.of(new Remedy.SetUpAccess()));
            }
        }
    }

    /**
     * Creates the roles (if missing) and gives every Cairn object to the admin role, with the
     * privileges each needs and no more: idempotent, so that running it again repairs what
     * drifted, and removes code that anyone but an admin planted on Cairn's tables.
     */
    static Roles setUp(Connection tx, DataModel model) throws SQLException {
        DatabaseTable.ensureMovedNotice(tx);
        String database = database(tx);
        Roles roles = Roles.of(database);
        String a = Sql.ident(tx, roles.admin());
        String u = Sql.ident(tx, roles.user());
        List<String> sql = new ArrayList<>();
        if (!exists(tx, roles.admin())) {
            sql.add("CREATE ROLE " + a + " NOLOGIN");
        }
        if (!exists(tx, roles.user())) {
            sql.add("CREATE ROLE " + u + " NOLOGIN");
        }
        Sql.execute(tx, sql);
        sql.clear();
        // admins are Cairn users too, and the regular users act as themselves (no SET role), each
        // with the grants of the user role and those of the datasets they were given
        sql.add("GRANT " + u + " TO " + a);
        try (Statement s = tx.createStatement(); ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles"
                + " WHERE rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                sql.add("GRANT " + a + " TO CURRENT_USER");
            }
        }
        for (String user : Sql.column(tx, "SELECT quote_ident(r.rolname) FROM pg_roles r WHERE r.rolcanlogin AND NOT r.rolsuper"
                + " AND pg_has_role(r.oid, " + Sql.literal(tx, roles.user()) + ", 'MEMBER') AND NOT pg_has_role(r.oid, "
                + Sql.literal(tx, roles.admin()) + ", 'MEMBER')")) {
            sql.add("ALTER ROLE " + user + " IN DATABASE " + Sql.ident(tx, database) + " RESET role");
        }
        // nobody but the database's owner creates anything in public (PostgreSQL 14 lets everyone)
        if (Sql.column(tx, "SELECT 1 FROM pg_namespace WHERE nspname = 'public'").size() == 1) {
            sql.add("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }
        // sample tables made later, by a superuser's client, are given to the admin role too
        sql.add("ALTER DATABASE " + Sql.ident(tx, database) + " SET " + SampleTable.OWNER_SETTING + " = "
                + Sql.literal(tx, roles.admin()));
        sql.add("SET LOCAL " + SampleTable.OWNER_SETTING + " = " + Sql.literal(tx, roles.admin()));
        Sql.execute(tx, sql);
        secure(tx, roles, model);
        Access.regrantAll(tx);
        return roles;
    }

    /**
     * Gives every Cairn object to the admin role and sets the privileges of the user role, the
     * policies, the checked paths and the stored SQL of dataset revisions; removes triggers, rules
     * and functions that are not Cairn's from its schemas. Run by {@link #setUp}, and after every
     * change of the database's version on a database that has Cairn roles.
     */
    static void secure(Connection tx, Roles roles, DataModel model) throws SQLException {
        String a = Sql.ident(tx, roles.admin());
        String u = Sql.ident(tx, roles.user());
        List<String> sql = new ArrayList<>();
        sql.add("ALTER SCHEMA cairn OWNER TO " + a);
        sql.add("ALTER SCHEMA cairn_data OWNER TO " + a);
        sql.add("REVOKE ALL ON SCHEMA cairn, cairn_data FROM PUBLIC, " + u);
        sql.add("GRANT USAGE ON SCHEMA cairn, cairn_data TO " + u);
        for (String table : Sql.column(tx, "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                + " WHERE schemaname IN ('cairn', 'cairn_data')")) {
            sql.add("ALTER TABLE " + table + " OWNER TO " + a);
        }
        for (String table : Sql.column(tx, "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                + " WHERE schemaname = 'cairn'")) {
            // each sample table's grants are its access list's, set by Access.regrantAll and after each dataset step
            sql.add("REVOKE ALL ON " + table + " FROM PUBLIC, " + u);
        }
        // code on Cairn's tables is Cairn's: a trigger or rule that anyone else made is removed
        for (String trigger : Sql.column(tx, "SELECT format('%I ON %I.%I', t.tgname, n.nspname, c.relname) FROM pg_trigger t"
                + " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname IN ('cairn', 'cairn_data') AND NOT t.tgisinternal AND NOT (n.nspname = 'cairn_data'"
                + " AND t.tgname = 'touch' AND t.tgfoid = to_regprocedure(format('cairn_data.%I()', c.relname || '_touch')))"
                + " AND NOT (n.nspname = 'cairn' AND c.relname = 'datasets' AND t.tgname = 'guard_version')"
                + " AND NOT (n.nspname = 'cairn' AND c.relname = 'database' AND t.tgname = 'moved'"
                + " AND t.tgfoid = to_regprocedure('cairn.database_moved()'))")) {
            sql.add("DROP TRIGGER " + trigger);
        }
        for (String rule : Sql.column(tx, "SELECT format('%I ON %I.%I', r.rulename, n.nspname, c.relname) FROM pg_rewrite r"
                + " JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname IN ('cairn', 'cairn_data') AND r.rulename <> '_RETURN'")) {
            sql.add("DROP RULE " + rule);
        }
        for (String policy : Sql.column(tx, "SELECT format('%I ON %I.%I', p.polname, n.nspname, c.relname) FROM pg_policy p"
                + " JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = 'cairn_data'")) {
            sql.add("DROP POLICY " + policy);
        }
        for (String function : Sql.column(tx, "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = 'cairn_data'")) {
            sql.add("ALTER FUNCTION " + function + " OWNER TO " + a);
        }
        sql.add("GRANT USAGE ON ALL SEQUENCES IN SCHEMA cairn TO " + u);
        // tables that later revisions create get no privileges of their own: this method grants them
        sql.add("ALTER DEFAULT PRIVILEGES FOR ROLE " + a + " IN SCHEMA cairn REVOKE ALL ON TABLES FROM " + u);
        sql.add("ALTER DEFAULT PRIVILEGES FOR ROLE " + a + " IN SCHEMA cairn REVOKE ALL ON SEQUENCES FROM " + u);
        // the records: read by everyone, written by admins only
        sql.add("GRANT SELECT ON cairn.database TO " + u);
        // the history: everyone writes their own entries, as themselves, and nobody deletes any
        // the history: read where the dataset is visible (Access.install), written through the checked paths
        sql.add("GRANT SELECT ON cairn.history TO " + u);
        sql.add("ALTER TABLE cairn.history ALTER COLUMN database_user SET DEFAULT session_user");
        sql.add("ALTER TABLE cairn.history ENABLE ROW LEVEL SECURITY");
        sql.add("DROP POLICY IF EXISTS own_entries ON cairn.history");
        sql.add("DROP POLICY IF EXISTS own_changes ON cairn.history");
        // a dataset's version is well formed and never above its database's, whoever writes it
        sql.add("""
                CREATE OR REPLACE FUNCTION cairn.guard_dataset_version() RETURNS trigger LANGUAGE plpgsql
                SET search_path = pg_catalog, pg_temp AS $$
                DECLARE db text;
                BEGIN
                  IF NEW.version !~ '^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})$' THEN
                    RAISE EXCEPTION 'cairn: % is not a data model version', NEW.version USING ERRCODE = '22023';
                  END IF;
                  SELECT version INTO db FROM cairn.database;
                  IF string_to_array(NEW.version, '.')::int[] > string_to_array(db, '.')::int[] THEN
                    RAISE EXCEPTION 'cairn: a dataset cannot be ahead of its database (% above %)', NEW.version, db
                      USING ERRCODE = '42501';
                  END IF;
                  RETURN NEW;
                END $$""");
        sql.add("DROP TRIGGER IF EXISTS guard_version ON cairn.datasets");
        sql.add("CREATE TRIGGER guard_version BEFORE INSERT OR UPDATE OF version ON cairn.datasets FOR EACH ROW"
                + " EXECUTE FUNCTION cairn.guard_dataset_version()");
        Sql.execute(tx, sql);
        Access.install(tx, roles.admin(), roles.user(), model, DatabaseTable.read(tx, "").version());
    }

    /** Whether this database has Cairn roles, so that {@link #secure} keeps its privileges. */
    static boolean rolesExist(Connection c) throws SQLException {
        Roles roles = Roles.of(database(c));
        return exists(c, roles.admin()) && exists(c, roles.user());
    }

    static void checkUserName(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_ROLE_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("a database user's name is 1 to " + MAX_ROLE_NAME + " bytes without control"
                    + " characters, not " + Texts.quoted(String.valueOf(name)));
        }
    }

    /**
     * Makes a login role a Cairn user (or admin) of this database, creating it with the password
     * if it does not exist. The password is hashed by the driver, so it never travels or is
     * logged in clear.
     */
    static void addUser(Connection tx, Roles roles, String name, char[] password, boolean admin) throws SQLException {
        checkUserName(name);
        requireRoles(tx, roles);
        requireRoleRights(tx, roles);
        String who = Sql.ident(tx, name);
        if (!exists(tx, name)) {
            if (password == null || password.length == 0) {
                throw new InvalidInputException("there is no database user " + Texts.quoted(name) + " yet: give a password"
                        + " for the new login (--password-stdin)");
            }
            Sql.execute(tx, List.of("CREATE ROLE " + who + " LOGIN"));
            tx.unwrap(PGConnection.class).alterUserPassword(name, password, null);
        } else if (password != null && password.length > 0) {
            tx.unwrap(PGConnection.class).alterUserPassword(name, password, null);
        }
        String role = Sql.ident(tx, admin ? roles.admin() : roles.user());
        String other = Sql.ident(tx, admin ? roles.user() : roles.admin());
        List<String> sql = new ArrayList<>();
        if (!admin) {
            sql.add("REVOKE " + other + " FROM " + who);
        }
        sql.add("GRANT " + role + " TO " + who);
        // admins act as the admin role, so that what they make is the admin role's; regular users
        // act as themselves, so that the grants of the datasets they were given apply
        sql.add("ALTER ROLE " + who + " IN DATABASE " + Sql.ident(tx, database(tx)) + (admin ? " SET role = "
                + Sql.literal(tx, roles.admin()) : " RESET role"));
        Sql.execute(tx, sql);
    }

    /** Takes a login role's Cairn rights on this database away; the role itself stays. */
    static boolean removeUser(Connection tx, Roles roles, String name) throws SQLException {
        checkUserName(name);
        requireRoles(tx, roles);
        requireRoleRights(tx, roles);
        if (!exists(tx, name)) {
            return false;
        }
        String who = Sql.ident(tx, name);
        Sql.execute(tx, List.of("REVOKE " + Sql.ident(tx, roles.admin()) + " FROM " + who,
                "REVOKE " + Sql.ident(tx, roles.user()) + " FROM " + who,
                "ALTER ROLE " + who + " IN DATABASE " + Sql.ident(tx, database(tx)) + " RESET role"));
        Access.forget(tx, name);
        return true;
    }

    static List<User> users(Connection c, Roles roles) throws SQLException {
        requireRoles(c, roles);
        return Statements.list(c, "SELECT r.rolname, pg_has_role(r.oid, ?, 'MEMBER') FROM pg_roles r"
                + " WHERE r.rolcanlogin AND pg_has_role(r.oid, ?, 'MEMBER') AND NOT r.rolsuper ORDER BY r.rolname",
                rs -> new User(rs.getString(1), rs.getBoolean(2)), Statements.text(roles.admin()),
                Statements.text(roles.user()));
    }

    /** Refuses unless the connected role may grant and revoke the database's Cairn roles. */
    private static void requireRoleRights(Connection c, Roles roles) throws SQLException {
        boolean allowed;
        try {
            allowed = Statements.one(c, "SELECT r.rolsuper OR (r.rolcreaterole AND"
                    + " pg_has_role(current_user, ?, 'USAGE WITH ADMIN OPTION') AND pg_has_role(current_user, ?,"
                    + " 'USAGE WITH ADMIN OPTION')) FROM pg_roles r WHERE r.rolname = current_user",
                    rs -> rs.getBoolean(1), Statements.text(roles.admin()), Statements.text(roles.user())).orElse(false);
        } catch (SQLException e) {
            allowed = false;
        }
        if (!allowed) {
            throw new RefusedException("adding or removing users needs a PostgreSQL role that can manage the"
                    + " database's Cairn roles, such as the one that set them up (or a superuser); being"
                    + " a Cairn admin is not enough. Nothing was changed.");
        }
    }

    private static void requireRoles(Connection c, Roles roles) throws SQLException {
        if (!exists(c, roles.admin()) || !exists(c, roles.user())) {
            throw new RefusedException("this database has no Cairn roles yet: set them up first with {0}",
                    List.of(new Remedy.SetUpAccess()));
        }
    }

    /** Whether the connected user may change the database's records, as an admin must. */
    static boolean canChangeRecords(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT has_table_privilege('cairn.database',"
                + " 'UPDATE')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
