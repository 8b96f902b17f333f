package dev.cairn.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cairn.api.Build;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.CairnException;
import dev.cairn.api.ConfigurationException;
import dev.cairn.api.DatabaseUnavailableException;
import dev.cairn.api.DatabaseUri;
import dev.cairn.api.Feedback;
import dev.cairn.api.Remedy;
import dev.cairn.localserver.EmbeddedServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * The connection pool to Cairn's database: the local embedded server (started if need be, the
 * database created on it) or a shared server. Connection failures become messages that say which
 * server, which user, and what to check.
 */
public final class Postgres implements AutoCloseable {

    /** The oldest PostgreSQL server Cairn supports. */
    public static final int MIN_SERVER_VERSION = 14;

    private final HikariDataSource pool;
    private final List<Connection> dedicated = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final boolean local;
    private final String description;
    private final String user;

    private Postgres(HikariDataSource pool, boolean local, String description, String user) {
        this.pool = pool;
        this.local = local;
        this.description = description;
        this.user = user;
    }

    /** The embedded server of a configuration: under its home, binaries shared per home. */
    public static EmbeddedServer embeddedServer(CairnConfig config) {
        return EmbeddedServer.at(config.home(), config.postgresBinaries());
    }

    /** Connects, starting the local server and creating its database on first use. */
    public static Postgres connect(CairnConfig config, Feedback feedback) {
        if (config.isLocal()) {
            return connectLocal(config, feedback);
        }
        DatabaseUri uri = config.databaseUri().orElseThrow();
        Properties props = new Properties();
        props.putAll(uri.options());
        String user = uri.user() != null ? uri.user() : System.getProperty("user.name");
        props.setProperty("user", user);
        if (uri.password() != null) {
            props.setProperty("password", uri.password());
        }
        String where = uri.host() + ":" + uri.port();
        return open(uri.jdbcUrl(), props, config, false, "database '" + uri.database() + "' on " + where, where, user,
                null);
    }

    private static Postgres connectLocal(CairnConfig config, Feedback feedback) {
        EmbeddedServer server = embeddedServer(config);
        EmbeddedServer.Endpoint endpoint = server.runningEndpoint()
                .orElseGet(() -> server.start(config.databasePort(), feedback));
        try {
            return openLocal(config, endpoint);
        } catch (DatabaseUnavailableException firstTry) {
            // the server went away between reading its files and connecting: start it and try once more
            endpoint = server.start(config.databasePort(), feedback);
            return openLocal(config, endpoint);
        }
    }

    private static Postgres openLocal(CairnConfig config, EmbeddedServer.Endpoint endpoint) {
        Properties props = new Properties();
        props.setProperty("user", endpoint.user());
        props.setProperty("password", endpoint.password());
        // the local server listens on the loopback address and has no certificate: asking it for
        // TLS first is a round trip, and loading the TLS provider a part of every short command's start
        props.setProperty("sslmode", "disable");
        props.setProperty("gssEncMode", "disable");
        String where = endpoint.host() + ":" + endpoint.port();
        String description = "local database '" + config.databaseName() + "' on " + where;
        return open(endpoint.jdbcUrl(config.databaseName()), props, config, true, description, where, endpoint.user(),
                () -> createLocalDatabase(endpoint, config.databaseName(), props, config));
    }

    private static void createLocalDatabase(EmbeddedServer.Endpoint endpoint, String name, Properties props,
                                            CairnConfig config) {
        DriverManager.setLoginTimeout(config.connectTimeoutSeconds());
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), props);
             Statement s = c.createStatement()) {
            // the name was checked against [A-Za-z_][A-Za-z0-9_]* when the configuration was built
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            // 42P04: it exists; 23505: another process created it at the same moment
            if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                throw Sql.translate(e, "creating the local database '" + name + "'");
            }
        }
    }

    /** The search_path of every session Cairn opens. */
    public static final String PINNED_SEARCH_PATH = "-c search_path=pg_catalog,pg_temp";

    /**
     * Opens the pool with one plain connection made first, which the pool then lends as its own:
     * a failure to connect is reported at once (a pool that cannot connect waits a second before it
     * says why), the local database is created on first use ({@code createMissing}), and a command
     * that needs one connection opens one, each costing an authentication.
     */
    private static Postgres open(String jdbcUrl, Properties props, CairnConfig config, boolean local,
                                 String description, String where, String user, Runnable createMissing) {
        Properties session = new Properties();
        session.putAll(props);
        session.setProperty("ApplicationName", "cairn " + Build.release());
        session.setProperty("connectTimeout", Integer.toString(config.connectTimeoutSeconds()));
        session.setProperty("loginTimeout", Integer.toString(config.connectTimeoutSeconds()));
        session.setProperty("tcpKeepAlive", "true");
        session.setProperty("reWriteBatchedInserts", "true");
        // every session of Cairn's finds names in the system catalog alone (Cairn qualifies its
        // own): nothing that a less trusted role put in a schema can stand in for a built-in in
        // an admin's session. Set at connection start, so it costs no round trip.
        String options = props.getProperty("options");
        session.setProperty("options", (options == null ? "" : options + " ") + PINNED_SEARCH_PATH);
        Connection first;
        try {
            first = connect(jdbcUrl, session, createMissing);
        } catch (SQLException e) {
            throw connectFailure(e, description, where, user, local);
        }
        LendingDataSource source = new LendingDataSource(jdbcUrl, session, first);
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(source);
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(config.connectTimeoutSeconds() * 1000L + 1000L);
        hc.setInitializationFailTimeout(-1); // connected above already
        hc.setPoolName("cairn");
        hc.setRegisterMbeans(false);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        Postgres pg = new Postgres(pool, local, description, user);
        try (Connection c = pool.getConnection()) {
            int major = c.getMetaData().getDatabaseMajorVersion();
            if (major < MIN_SERVER_VERSION) {
                pg.close();
                throw new ConfigurationException("the PostgreSQL server at " + where + " is version "
                        + c.getMetaData().getDatabaseProductVersion() + "; Cairn needs PostgreSQL " + MIN_SERVER_VERSION
                        + " or newer");
            }
        } catch (SQLException e) {
            pg.close();
            throw connectFailure(e, description, where, user, local);
        } finally {
            source.close();
        }
        return pg;
    }

    private static Connection connect(String jdbcUrl, Properties session, Runnable createMissing) throws SQLException {
        try {
            return DriverManager.getConnection(jdbcUrl, session);
        } catch (SQLException e) {
            if (createMissing == null || !"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        createMissing.run();
        return DriverManager.getConnection(jdbcUrl, session);
    }

    private static CairnException connectFailure(Throwable cause, String description, String where, String user,
                                                 boolean local) {
        String check = local ? "; run '{0}' and see its log" : "; check CAIRN_DATABASE_URI";
        List<Remedy> remedies = local ? List.of(new Remedy.CheckLocalServer()) : List.of();
        if (cause instanceof SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            switch (state) {
                case "28P01", "28000" -> {
                    return new DatabaseUnavailableException("the PostgreSQL server at " + where + " refused the login"
                            + " of user '" + user + "': " + e.getMessage() + check, remedies);
                }
                case "3D000" -> {
                    return new ConfigurationException("there is no " + description + ": " + e.getMessage()
                            + (local ? "" : "; create it (createdb) or fix CAIRN_DATABASE_URI"));
                }
                default -> {
                    String reason = e.getMessage();
                    Throwable root = e;
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    if (root != e) {
                        reason = reason + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
                    }
                    return new DatabaseUnavailableException("cannot connect to the " + description + ": " + reason + check,
                            remedies, e);
                }
            }
        }
        return new DatabaseUnavailableException("cannot connect to the " + description + ": " + cause + check, remedies,
                cause);
    }

    /** Runs work on a pooled connection, returned to the pool afterwards. */
    public <T> T withConnection(Sql.Work<T> work, String doing) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw Sql.translate(e, doing);
        }
    }

    /** Runs work in one transaction on a pooled connection. */
    public <T> T inTransaction(Sql.Work<T> work, String doing) {
        try (Connection c = pool.getConnection()) {
            return Sql.inTransaction(c, work);
        } catch (SQLException e) {
            throw Sql.translate(e, doing);
        }
    }

    /** Lets the pool open at least this many connections at once, for work that runs side by side. */
    public void ensureCapacity(int connections) {
        if (pool.getMaximumPoolSize() < connections) {
            pool.getHikariConfigMXBean().setMaximumPoolSize(connections);
        }
    }

    /**
     * A physical connection outside the pool, with the pool's settings, for a session that stays
     * open (a listener); closed by the caller, and with the pool at the latest.
     */
    public Connection dedicatedConnection() throws SQLException {
        Connection c = pool.getDataSource().getConnection();
        dedicated.add(c);
        return c;
    }

    /** A connection of the caller's own, to be closed by the caller. */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public boolean isLocal() {
        return local;
    }

    /** The database user this client connects as. */
    public String user() {
        return user;
    }

    /** Which database this is, for messages: "local database 'cairn' on 127.0.0.1:5432". */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        for (Connection c : dedicated) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing: the server drops the session with its socket
            }
        }
        pool.close();
    }
}
