package dev.cairn.store;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A database that cannot be reached, or refuses the login, is reported clearly and nothing changes. */
class ConnectionErrorsTest {

    private static Map<String, String> shared(String uri) {
        return Map.of("CAIRN_HOME", Backend.scratch("home").toString(), "CAIRN_DATABASE_URI", uri,
                "CAIRN_CONNECT_TIMEOUT", "3");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableServerExitsWithFive() throws Exception {
        long start = System.nanoTime();
        Cli.Result r = Cli.run(shared("postgresql://u:secret@127.0.0.1:" + closedPort() + "/db"), "datasets", "list");
        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains("cannot connect", "127.0.0.1", "CAIRN_DATABASE_URI").doesNotContain("secret");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(20);
    }

    @Test
    void anUnknownHostExitsWithFive() {
        Cli.Result r = Cli.run(shared("postgresql://u@no-such-host.invalid/db"), "datasets", "list");
        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains("no-such-host.invalid");
    }

    private static String reachable(String user, String password, String database) {
        CairnConfig config = Backend.fresh();
        if (config.isLocal()) {
            var e = Backend.endpoint(config);
            return "postgresql://" + user + ":" + password + "@127.0.0.1:" + e.port() + "/" + database;
        }
        DatabaseUri u = config.databaseUri().orElseThrow();
        return "postgresql://" + user + ":" + password + "@" + u.host() + ":" + u.port() + "/" + database;
    }

    @Test
    void aWrongPasswordExitsWithFiveAndSaysTheLoginWasRefused() {
        Cli.Result r = Cli.run(shared(reachable("cairn", "wrong-password", "postgres")), "datasets", "list");
        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains("refused the login").doesNotContain("wrong-password");
    }

    @Test
    void aMissingDatabaseIsAConfigurationError() {
        CairnConfig some = Backend.fresh();
        String uri;
        if (some.isLocal()) {
            var e = Backend.endpoint(some);
            uri = "postgresql://" + e.user() + ":" + e.password() + "@127.0.0.1:" + e.port() + "/no_such_database";
        } else {
            DatabaseUri u = some.databaseUri().orElseThrow();
            uri = "postgresql://" + u.user() + ":" + u.password() + "@" + u.host() + ":" + u.port() + "/no_such_database";
        }
        Cli.Result r = Cli.run(shared(uri), "datasets", "list");
        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains("no_such_database");
    }

    @Test
    void onASharedServerOnlyAnAdminCreatesTheCairnDatabase() throws Exception {
        CairnConfig config = Backend.freshBuilder().build();
        Map<String, String> env = new java.util.HashMap<>(Backend.environment(config));
        if (config.isLocal()) {
            var e = Backend.endpoint(config);
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", e.user());
            p.setProperty("password", e.password());
            try (var c = java.sql.DriverManager.getConnection(e.jdbcUrl("postgres"), p); var s = c.createStatement()) {
                s.execute("CREATE DATABASE " + config.databaseName());
            }
            env.remove("CAIRN_DATABASE_NAME");
            env.put("CAIRN_DATABASE_URI", "postgresql://" + e.user() + ":" + e.password() + "@127.0.0.1:" + e.port()
                    + "/" + config.databaseName());
        }
        env.remove("CAIRN_DATABASE_ADMIN");
        Cli.Result r = Cli.run(env, "datasets", "list");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("only an admin", "CAIRN_DATABASE_ADMIN=true cairn migrate");
        env.put("CAIRN_DATABASE_ADMIN", "true");
        assertThat(Cli.run(env, "datasets", "list").exit()).isZero();
    }
}
