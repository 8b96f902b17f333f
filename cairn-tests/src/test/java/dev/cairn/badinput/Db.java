package dev.cairn.badinput;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Queries;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A database a bad input is tried on: how the tests reach it (as an admin of this release, or as
 * the client of the release the configuration names), and what it is, for messages.
 *
 * @param label  what the database holds, for the report
 * @param config the settings that reach it
 */
public record Db(String label, CairnConfig config) {

    /** The environment of the {@code cairn} command that reaches this database as {@link #config()} does. */
    public Map<String, String> env() {
        return new HashMap<>(Backend.environment(config));
    }

    /** The environment, with some variables added or replaced. */
    public Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = env();
        env.putAll(extra);
        return env;
    }

    /** The host and port of the PostgreSQL server, and a superuser's name and password on it. */
    public record Server(String host, int port, String user, String password) {
        public String uri(String user, String password, String database) {
            return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + database;
        }
    }

    public Server server() {
        if (config.isLocal()) {
            var e = Backend.endpoint(config);
            return new Server(e.host(), e.port(), e.user(), e.password());
        }
        DatabaseUri u = config.databaseUri().orElseThrow();
        return new Server(u.host(), u.port(), u.user(), u.password());
    }

    /** The name of this database on its server. */
    public String databaseName() {
        return config.isLocal() ? config.databaseName() : config.databaseUri().orElseThrow().database();
    }

    /**
     * An environment that reaches this very database as a shared one, through
     * {@code CAIRN_DATABASE_URI}, from another CAIRN_HOME: so that a setting that Cairn wrongly
     * accepted would reach this database, and show in its checksum.
     */
    public Map<String, String> sharedEnv(java.nio.file.Path home) {
        Server s = server();
        Map<String, String> env = new HashMap<>();
        env.put("CAIRN_HOME", home.toString());
        env.put("CAIRN_POSTGRES_BINARIES", config.postgresBinaries().toString());
        env.put("CAIRN_DATABASE_URI", s.uri(s.user(), s.password(), databaseName()));
        env.put("CAIRN_CONNECT_TIMEOUT", "5");
        env.put("CAIRN_NO_PROGRESS", "1");
        return env;
    }

    /** Runs SQL as a superuser, behind Cairn's back. */
    public void sql(String... statements) {
        Queries.execute(config, statements);
    }

    /** The first column of every row of a query, as text, run as a superuser. */
    public List<String> query(String sql, Object... params) throws SQLException {
        try (Connection c = Backend.raw(config)) {
            return Queries.strings(c, sql, params);
        }
    }

    /** The id of a dataset, which names its sample table. */
    public long datasetId(String name) throws SQLException {
        try (Connection c = Backend.raw(config)) {
            return Queries.datasetId(c, name);
        }
    }

    public String checksum() throws SQLException {
        return Backend.checksum(config);
    }
}
