package dev.cairn.security;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a regular user must not be able to change, read as the superuser: every row of
 * Cairn's records, every sample table's columns and content, every role's attributes and
 * memberships, per-role and per-database settings, and every object of the database that is not
 * PostgreSQL's own (owners, grants, triggers, rules, policies, functions, operators, casts,
 * default privileges, large objects, comments, ...). Two snapshots are compared section by
 * section, so that a difference says what changed.
 */
record Snapshot(Map<String, List<String>> sections) {

    /** Sections that legitimately move without anyone changing anything (a refused insert may use a sequence value). */
    static final String SEQUENCES = "sequences";

    /** The roles whose objects Cairn's are: the admin role (the owner of schema cairn) and superusers. */
    private static final String CREATORS = "($role = (SELECT nspowner FROM pg_namespace WHERE nspname = 'cairn')"
            + " OR $role IN (SELECT oid FROM pg_roles WHERE rolsuper))";

    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

    static Snapshot take(Connection su) throws SQLException {
        Map<String, List<String>> s = new LinkedHashMap<>();
        try (Statement st = su.createStatement()) {
            st.execute("SET search_path = pg_catalog");
            s.put("roles", rows(st, "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,"
                    + " rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil FROM pg_roles ORDER BY rolname"));
            s.put("passwords", rows(st, "SELECT rolname, md5(coalesce(rolpassword, '')) FROM pg_authid ORDER BY rolname"));
            s.put("memberships", rows(st, "SELECT roleid::regrole, member::regrole, grantor::regrole, admin_option"
                    + " FROM pg_auth_members ORDER BY 1, 2, 3"));
            s.put("role and database settings", rows(st, "SELECT coalesce(d.datname, '*'), coalesce(r.rolname, '*'),"
                    + " s.setconfig FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                    + " LEFT JOIN pg_roles r ON r.oid = s.setrole ORDER BY 1, 2"));
            s.put("database", rows(st, "SELECT datname, datdba::regrole, datacl, datconnlimit, datallowconn"
                    + " FROM pg_database WHERE datname = current_database()"));
            s.put("schemas", rows(st, "SELECT n.nspname, n.nspowner::regrole, n.nspacl FROM pg_namespace n WHERE "
                    + USER_SCHEMAS + " ORDER BY 1"));
            s.put("relations", rows(st, "SELECT format('%I.%I', n.nspname, c.relname), c.relkind, c.relowner::regrole,"
                    + " c.relacl, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relpersistence,"
                    + " (SELECT string_agg(format('%s %s %s %s %s', a.attname, format_type(a.atttypid, a.atttypmod),"
                    + " a.attnotnull, a.attidentity, pg_get_expr(ad.adbin, ad.adrelid)), ', ' ORDER BY a.attnum)"
                    + " FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
                    + " WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMAS + " ORDER BY 1"));
            s.put("indexes and views", rows(st, "SELECT format('%I.%I', n.nspname, c.relname),"
                    + " CASE WHEN c.relkind IN ('i', 'I') THEN pg_get_indexdef(c.oid) ELSE pg_get_viewdef(c.oid) END"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMAS
                    + " AND c.relkind IN ('i', 'I', 'v', 'm') ORDER BY 1"));
            s.put("constraints", rows(st, "SELECT n.nspname, c.conrelid::regclass, c.contypid::regtype, c.conname,"
                    + " pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                    + " WHERE " + USER_SCHEMAS + " ORDER BY 1, 2, 3, 4"));
            s.put("functions", rows(st, "SELECT p.oid::regprocedure, p.proowner::regrole, p.prosecdef, p.proconfig,"
                    + " p.prokind, p.provolatile, md5(coalesce(p.prosrc, '')), p.proacl FROM pg_proc p JOIN pg_namespace n"
                    + " ON n.oid = p.pronamespace WHERE " + USER_SCHEMAS + " OR p.oid >= 16384 ORDER BY 1"));
            s.put("triggers", rows(st, "SELECT tgrelid::regclass, tgname, tgenabled, tgfoid::regprocedure,"
                    + " pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"));
            s.put("rules", rows(st, "SELECT schemaname, tablename, rulename, definition FROM pg_rules"
                    + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3"));
            s.put("policies", rows(st, "SELECT schemaname, tablename, policyname, permissive, roles, cmd, qual, with_check"
                    + " FROM pg_policies ORDER BY 1, 2, 3"));
            s.put("operators", rows(st, "SELECT oid::regoperator, oprowner::regrole, oprcode FROM pg_operator"
                    + " WHERE oid >= 16384 ORDER BY 1"));
            s.put("casts", rows(st, "SELECT castsource::regtype, casttarget::regtype, castfunc, castcontext FROM pg_cast"
                    + " WHERE oid >= 16384 ORDER BY 1, 2"));
            s.put("types", rows(st, "SELECT t.oid::regtype, t.typowner::regrole, t.typtype FROM pg_type t"
                    + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + USER_SCHEMAS + " AND t.typrelid = 0"
                    + " AND t.typelem = 0 ORDER BY 1"));
            // PostgreSQL lets any role set the default privileges of what it (or a role it belongs to)
            // creates, and make large objects of its own; what matters is that the roles that make
            // Cairn's objects (the admin role, superusers) are untouched: a regular user creates nothing
            s.put("default privileges", rows(st, "SELECT defaclrole::regrole, defaclnamespace::regnamespace, defaclobjtype,"
                    + " defaclacl FROM pg_default_acl WHERE " + CREATORS.replace("$role", "defaclrole") + " ORDER BY 1, 2, 3"));
            s.put("large objects", rows(st, "SELECT oid, lomowner::regrole, lomacl FROM pg_largeobject_metadata WHERE "
                    + CREATORS.replace("$role", "lomowner") + " ORDER BY 1"));
            s.put("event triggers", rows(st, "SELECT evtname, evtevent, evtowner::regrole, evtfoid::regprocedure, evtenabled"
                    + " FROM pg_event_trigger ORDER BY 1"));
            s.put("publications and subscriptions", rows(st, String.join(" UNION ALL ",
                    owned("publication", "pg_publication", "pubname", "pubowner"),
                    owned("subscription", "pg_subscription", "subname", "subowner")) + " ORDER BY 1, 2"));
            s.put("extensions and languages", rows(st, String.join(" UNION ALL ",
                    owned("extension", "pg_extension", "extname", "extowner"),
                    owned("language", "pg_language", "lanname", "lanowner")) + " ORDER BY 1, 2"));
            s.put("comments and labels", rows(st, "SELECT 'comment', classoid::regclass::text, objoid, objsubid, description"
                    + " FROM pg_description WHERE objoid >= 16384 UNION ALL SELECT 'shared comment',"
                    + " classoid::regclass::text, objoid, 0, description FROM pg_shdescription UNION ALL SELECT 'label',"
                    + " classoid::regclass::text, objoid, objsubid, label FROM pg_seclabel UNION ALL SELECT 'shared label',"
                    + " classoid::regclass::text, objoid, 0, label FROM pg_shseclabel ORDER BY 1, 2, 3, 4"));
            s.put("other objects", rows(st, String.join(" UNION ALL ",
                    other("pg_collation", "collname", "collowner"), other("pg_conversion", "conname", "conowner"),
                    other("pg_opclass", "opcname", "opcowner"), other("pg_opfamily", "opfname", "opfowner"),
                    other("pg_ts_config", "cfgname", "cfgowner"), other("pg_ts_dict", "dictname", "dictowner"),
                    other("pg_statistic_ext", "stxname", "stxowner"),
                    other("pg_foreign_data_wrapper", "fdwname", "fdwowner"), other("pg_foreign_server", "srvname", "srvowner"))
                    + " UNION ALL SELECT 'pg_am', amname::text, '' FROM pg_am WHERE oid >= 16384"
                    + " UNION ALL SELECT 'pg_transform', trftype::regtype::text, '' FROM pg_transform"
                    + " UNION ALL SELECT 'pg_user_mapping', umuser::regrole::text, umserver::text FROM pg_user_mapping"
                    + " ORDER BY 1, 2"));
            for (String table : names(st, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n"
                    + " ON n.oid = c.relnamespace WHERE n.nspname = 'cairn' AND c.relkind IN ('r', 'p') ORDER BY 1")) {
                s.put("records " + table, rows(st, "SELECT to_jsonb(x)::text FROM " + table + " x ORDER BY 1"));
            }
            List<String> content = new ArrayList<>();
            for (String table : names(st, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n"
                    + " ON n.oid = c.relnamespace WHERE n.nspname = 'cairn_data' AND c.relkind IN ('r', 'p') ORDER BY 1")) {
                content.add(table + " " + rows(st, "SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text),"
                        + " '')) FROM " + table + " x").get(0));
            }
            s.put("sample tables", content);
            List<String> sequences = new ArrayList<>();
            for (String seq : names(st, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n"
                    + " ON n.oid = c.relnamespace WHERE n.nspname IN ('cairn', 'cairn_data') AND c.relkind = 'S' ORDER BY 1")) {
                sequences.add(seq + " " + rows(st, "SELECT last_value, is_called FROM " + seq).get(0));
            }
            s.put(SEQUENCES, sequences);
            st.execute("RESET search_path");
        }
        return new Snapshot(s);
    }

    /** Every object of a catalog, as {@code label | name | owner}. */
    private static String owned(String label, String catalog, String name, String owner) {
        return "SELECT '" + label + "', " + name + "::text, " + owner + "::regrole::text FROM " + catalog;
    }

    /** The objects that were created after initdb in a catalog that no other section reads. */
    private static String other(String catalog, String name, String owner) {
        return owned(catalog, catalog, name, owner) + " WHERE oid >= 16384";
    }

    /**
     * What changed from {@code before} to this, section by section, leaving out the sections
     * named; empty when nothing did.
     */
    List<String> changesSince(Snapshot before, Set<String> ignored) {
        List<String> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(before.sections.keySet());
        names.addAll(sections.keySet());
        for (String name : names) {
            if (ignored.contains(name)) {
                continue;
            }
            List<String> was = before.sections.getOrDefault(name, List.of());
            List<String> now = sections.getOrDefault(name, List.of());
            if (!was.equals(now)) {
                Set<String> gone = new LinkedHashSet<>(was);
                now.forEach(gone::remove);
                Set<String> added = new LinkedHashSet<>(now);
                was.forEach(added::remove);
                StringBuilder b = new StringBuilder(name).append(':');
                gone.forEach(l -> b.append("\n    - ").append(l));
                added.forEach(l -> b.append("\n    + ").append(l));
                out.add(b.toString());
            }
        }
        return out;
    }

    List<String> changesSince(Snapshot before) {
        return changesSince(before, Set.of(SEQUENCES));
    }

    static List<String> rows(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    b.append(i == 1 ? "" : " | ").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    private static List<String> names(Statement st, String sql) throws SQLException {
        return rows(st, sql);
    }
}
