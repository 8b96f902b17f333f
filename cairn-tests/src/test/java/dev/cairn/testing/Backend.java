package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;
import dev.cairn.localserver.EmbeddedServer;
import dev.cairn.store.Postgres;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The database the tests run against: the embedded server (a fresh database on it for each
 * test), or, with {@code -Dcairn.test.backend=server}, the PostgreSQL server that
 * {@code CAIRN_TEST_SERVER_URI} points at (a fresh database created on it for each test), or,
 * with {@code -Dcairn.test.backend=pg14}, a PostgreSQL 14 server that the tests start themselves
 * ({@link Pg14Server}) and use as the server backend. The same tests run on all of them.
 */
public final class Backend {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN = Long.toString(System.currentTimeMillis() % 100000000L, 36);

    private Backend() {
    }

    public static boolean isServer() {
        return !"embedded".equals(name());
    }

    /** embedded, server or pg14. */
    public static String name() {
        return System.getProperty("cairn.test.backend", "embedded");
    }

    /** Where the tests keep their files: cairn-tests/target (the tests run from the repository's root). */
    public static Path build() {
        return Path.of(System.getProperty("cairn.test.build", "cairn-tests/target")).toAbsolutePath();
    }

    /** The CAIRN_HOME that the embedded backend's tests share. */
    public static Path home() {
        String home = System.getProperty("cairn.test.home");
        return home != null ? Path.of(home).toAbsolutePath() : build().resolve("test-home");
    }

    /** Where the embedded PostgreSQL binaries are unpacked for every test home. */
    public static Path binaries() {
        return build().resolve("postgres-binaries");
    }

    static DatabaseUri serverUri() {
        if ("pg14".equals(name())) {
            return DatabaseUri.parse(Pg14Server.uri(), "the PostgreSQL 14 test server");
        }
        String uri = System.getenv("CAIRN_TEST_SERVER_URI");
        if (uri == null || uri.isBlank()) {
            throw new IllegalStateException("the server backend needs CAIRN_TEST_SERVER_URI (a superuser's URI)");
        }
        return DatabaseUri.parse(uri, "CAIRN_TEST_SERVER_URI");
    }

    /** A new, empty database of this backend, and the settings that reach it, as an admin. */
    public static CairnConfig fresh() {
        return freshBuilder().admin(true).build();
    }

    /** The builder of {@link #fresh()}, before the admin setting: add what the test needs. */
    public static CairnConfig.Builder freshBuilder() {
        String db = "t_" + RUN + "_" + COUNTER.incrementAndGet();
        if (isServer()) {
            DatabaseUri admin = serverUri();
            try (Connection c = superuser(admin, admin.database()); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + db);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create a test database on the server: " + e.getMessage(), e);
            }
            return CairnConfig.builder().home(home()).postgresBinaries(binaries()).databaseUri(uriFor(admin, db));
        }
        return CairnConfig.builder().home(home()).postgresBinaries(binaries()).databaseName(db);
    }

    /** A fresh local (embedded) database even when the backend is the server: for tests of the local mode. */
    public static CairnConfig.Builder freshLocal() {
        return CairnConfig.builder().home(home()).postgresBinaries(binaries())
                .databaseName("t_" + RUN + "_" + COUNTER.incrementAndGet());
    }

    static String uriFor(DatabaseUri admin, String database) {
        StringBuilder s = new StringBuilder("postgresql://");
        if (admin.user() != null) {
            s.append(enc(admin.user()));
            if (admin.password() != null) {
                s.append(':').append(enc(admin.password()));
            }
            s.append('@');
        }
        return s.append(admin.host()).append(':').append(admin.port()).append('/').append(database).toString();
    }

    /** A user name or password as it goes into a URI. */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The same database reached as a shared one, through {@code CAIRN_DATABASE_URI}: on the
     * embedded backend, a URI to the embedded server's database. Shared databases default to
     * policy manual and to not admin.
     */
    public static CairnConfig.Builder asShared(CairnConfig config) {
        if (!config.isLocal()) {
            return config.toBuilder();
        }
        EmbeddedServer.Endpoint e = endpoint(config);
        try (Connection c = raw(config)) {
            // creates the database on the embedded server, as connecting locally would
        } catch (SQLException ex) {
            if (!"3D000".equals(ex.getSQLState())) {
                throw new IllegalStateException(ex);
            }
            try (Connection c = raw(CairnConfig.builder().home(config.home()).postgresBinaries(config.postgresBinaries())
                    .databaseName("postgres").build()); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + config.databaseName());
            } catch (SQLException again) {
                throw new IllegalStateException(again);
            }
        }
        return CairnConfig.builder().home(config.home()).postgresBinaries(config.postgresBinaries())
                .databaseUri("postgresql://" + enc(e.user()) + ":" + enc(e.password()) + "@" + e.host() + ":" + e.port()
                        + "/" + config.databaseName());
    }

    /** The embedded server's endpoint, started if need be. */
    public static EmbeddedServer.Endpoint endpoint(CairnConfig config) {
        EmbeddedServer server = Postgres.embeddedServer(config);
        return server.runningEndpoint().orElseGet(() -> server.start(0, dev.cairn.api.Feedback.NONE));
    }

    /** A superuser connection to the configuration's database, for checking and tampering behind Cairn's back. */
    public static Connection raw(CairnConfig config) throws SQLException {
        if (config.isLocal()) {
            EmbeddedServer.Endpoint e = endpoint(config);
            Properties p = new Properties();
            p.setProperty("user", e.user());
            p.setProperty("password", e.password());
            return DriverManager.getConnection(e.jdbcUrl(config.databaseName()), p);
        }
        DatabaseUri u = config.databaseUri().orElseThrow();
        return superuser(isServer() ? serverUri() : u, u.database());
    }

    private static Connection superuser(DatabaseUri admin, String database) throws SQLException {
        Properties p = new Properties();
        if (admin.user() != null) {
            p.setProperty("user", admin.user());
        }
        if (admin.password() != null) {
            p.setProperty("password", admin.password());
        }
        String host = admin.host().contains(":") ? "[" + admin.host() + "]" : admin.host();
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + admin.port() + "/" + database, p);
    }

    /**
     * A checksum of everything Cairn keeps in the database: every table of the {@code cairn}
     * and {@code cairn_data} schemas, its columns and its rows (in a stable order). Two equal
     * checksums mean nothing changed.
     */
    public static String checksum(CairnConfig config) throws SQLException {
        try (Connection c = raw(config); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT format('%I.%I', table_schema, table_name) FROM"
                    + " information_schema.tables WHERE table_schema IN ('cairn', 'cairn_data') ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            StringBuilder all = new StringBuilder();
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT string_agg(a.attname || ':' || format_type(a.atttypid,"
                        + " a.atttypmod), ',' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = '" + t
                        + "'::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
                    rs.next();
                    all.append(t).append('(').append(rs.getString(1)).append(')');
                }
                try (ResultSet rs = s.executeQuery("SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
                        + " FROM " + t + " x")) {
                    rs.next();
                    all.append('=').append(rs.getString(1)).append(';');
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT md5('" + all.toString().replace("'", "''") + "')")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The environment that makes the {@code cairn} command reach the configuration's database. */
    public static Map<String, String> environment(CairnConfig config) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CAIRN_HOME", config.home().toString());
        env.put("CAIRN_POSTGRES_BINARIES", config.postgresBinaries().toString());
        if (config.isLocal()) {
            env.put("CAIRN_DATABASE_NAME", config.databaseName());
        } else {
            DatabaseUri u = config.databaseUri().orElseThrow();
            env.put("CAIRN_DATABASE_URI", "postgresql://" + credentials(u) + u.host() + ":" + u.port() + "/" + u.database());
        }
        env.put("CAIRN_DATABASE_ADMIN", Boolean.toString(config.admin()));
        config.clientRelease().ifPresent(r -> env.put("CAIRN_CLIENT_RELEASE", r.toString()));
        env.put("CAIRN_NO_PROGRESS", "1");
        return env;
    }

    private static String credentials(DatabaseUri u) {
        if (u.user() == null) {
            return "";
        }
        return enc(u.user()) + (u.password() == null ? "" : ":" + enc(u.password())) + "@";
    }

    /** A folder of its own under target/, for one test's files. */
    public static Path scratch(String name) {
        try {
            Path p = build().resolve("scratch").resolve(name + "-" + RUN + "-" + COUNTER.incrementAndGet());
            Files.createDirectories(p);
            return p;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
