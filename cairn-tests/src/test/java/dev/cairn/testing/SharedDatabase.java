package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatabaseUri;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * A fresh database of this backend reached as a shared one ({@link Backend#asShared}), by its
 * superuser as admin, and the logins that tests add to it with {@code cairn admin add-user}.
 */
public record SharedDatabase(CairnConfig superuser, DatabaseUri uri) {

    public static SharedDatabase fresh() {
        CairnConfig superuser = Backend.asShared(Backend.freshBuilder().build()).admin(true).build();
        return new SharedDatabase(superuser, superuser.databaseUri().orElseThrow());
    }

    /** The login name of {@code who} here: roles belong to the whole server, so it carries the database's name. */
    public String user(String who) {
        return who + "_" + uri.database();
    }

    /** The settings through which a login reaches this database, as admin or not. */
    public CairnConfig.Builder as(String user, String password, boolean admin) {
        return superuser.toBuilder().admin(admin).databaseUri(Logins.uri(uri, user, password));
    }

    /** The environment of the {@code cairn} command for a login. */
    public Map<String, String> environment(String user, String password, boolean admin) {
        return Logins.environment(superuser, user, password, admin);
    }

    /** A JDBC session of a login, as its user would open one with psql. */
    public Connection login(String user, String password) throws SQLException {
        return Logins.login(uri, user, password, null);
    }
}
