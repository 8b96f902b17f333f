package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Database logins of the tests' own users on a shared database: their URIs, sessions and environments. */
public final class Logins {

    private Logins() {
    }

    /** The URI through which {@code user} reaches the database of {@code server}, password and all. */
    public static String uri(DatabaseUri server, String user, String password) {
        return "postgresql://" + Backend.enc(user) + ":" + Backend.enc(password) + "@" + server.host() + ":"
                + server.port() + "/" + server.database();
    }

    /** The environment of the {@code cairn} command for a login of the database {@code superuser} reaches. */
    public static Map<String, String> environment(CairnConfig superuser, String user, String password, boolean admin) {
        Map<String, String> env = new HashMap<>(Backend.environment(superuser));
        env.put("CAIRN_DATABASE_URI", uri(superuser.databaseUri().orElseThrow(), user, password));
        env.put("CAIRN_DATABASE_ADMIN", Boolean.toString(admin));
        return env;
    }

    /** A JDBC session of a login, as its user would open one with psql. */
    public static Connection login(DatabaseUri server, String user, String password, String application)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        if (application != null) {
            p.setProperty("ApplicationName", application);
        }
        return DriverManager.getConnection(server.jdbcUrl(), p);
    }
}
