package dev.cairn.api;

import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.Policy;

/**
 * What would make a refused or failed request work, as data: which action, on what, and who may
 * take it. An error's message leaves a place for each remedy ({@link CairnException#message}); the
 * command line shows a remedy as the command to type, {@link #describe()} as the Java call.
 */
public sealed interface Remedy {

    /** Who may take the remedy. */
    enum Rights {
        /** Any user of the database. */
        ANYONE,
        /** An admin of the database (on a local database, the user running Cairn, asking as admin). */
        ADMIN
    }

    /** Who may take it: an admin for what changes versions, policy or users; anyone for the rest. */
    default Rights rights() {
        return this instanceof Migrate || this instanceof SetPolicy || this instanceof SetUpAccess
                || this instanceof AddUser || this instanceof RemoveUser ? Rights.ADMIN : Rights.ANYONE;
    }

    /** The remedy in the Java API's words, for messages read by programmers. */
    String describe();

    /** Moving versions: a migration, which only an admin runs. */
    record Migrate(MigrationRequest request) implements Remedy {
        public String describe() {
            return "an admin's Migrations.migrate(" + request.describe() + ")";
        }
    }

    /** Changing who may move the database's version. */
    record SetPolicy(Policy policy) implements Remedy {
        public String describe() {
            return "an admin's Migrations.setPolicy(Policy." + policy.name() + ")";
        }
    }

    /** Setting up the roles and privileges that make a shared database enforce who may do what. */
    record SetUpAccess() implements Remedy {
        public String describe() {
            return "an admin's Migrations.setUpPrivileges()";
        }
    }

    /** Making a database login a Cairn user of the database. */
    record AddUser(String login, boolean admin) implements Remedy {
        public String describe() {
            return "an admin's Migrations.addUser(" + Texts.javaLiteral(login) + ", password, " + admin + ")";
        }
    }

    /** Taking a login's Cairn rights on the database away. */
    record RemoveUser(String login) implements Remedy {
        public String describe() {
            return "an admin's Migrations.removeUser(" + Texts.javaLiteral(login) + ")";
        }
    }

    /** Listing the database's Cairn users and admins. */
    record ListUsers() implements Remedy {
        public String describe() {
            return "Migrations.users()";
        }
    }

    /** Giving a user access to a dataset, which its owner, a manager or an admin does. */
    record Grant(String dataset) implements Remedy {
        public String describe() {
            return "Cairn.grant(" + Texts.javaLiteral(dataset) + ", user, level)";
        }
    }

    /** Listing the releases, with their data model versions. */
    record ListReleases() implements Remedy {
        public String describe() {
            return "Cairn.shippedModel().releases()";
        }
    }

    /** Listing the datasets. */
    record ListDatasets() implements Remedy {
        public String describe() {
            return "Cairn.datasets()";
        }
    }

    /** Looking at the local server: whether it runs, and its log. */
    record CheckLocalServer() implements Remedy {
        public String describe() {
            return "LocalServer.status()";
        }
    }

    /** Writing a dataset in Cairn's JSON Lines format. */
    record Export() implements Remedy {
        public String describe() {
            return "Cairn.export";
        }
    }
}
