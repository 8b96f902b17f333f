package dev.cairn;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.migration.HistoryEntry;
import dev.cairn.api.migration.MigrationInfo;
import dev.cairn.api.migration.MigrationPlan;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.migrate.Engine;
import dev.cairn.store.Postgres;

import java.util.List;

/**
 * The admin's commands, from Java: {@code cairn migrate} and {@code cairn admin}. Unlike {@link Cairn#open}, opening this does not
 * apply the Connecting rules: reading the versions ({@link #info}, {@link #history}) never
 * changes anything, whatever the database's policy.
 */
public final class Migrations implements AutoCloseable {

    private final Postgres postgres;
    private final Engine engine;

    private Migrations(Postgres postgres, Engine engine) {
        this.postgres = postgres;
        this.engine = engine;
    }

    public static Migrations open(CairnConfig config, Feedback feedback) {
        return open(config, Cairn.dataModel(config), feedback);
    }

    /** Opens with a data model of the caller's: for tests and tools that define their own revisions. */
    public static Migrations open(CairnConfig config, DataModel model, Feedback feedback) {
        Postgres postgres = Postgres.connect(config, feedback);
        return new Migrations(postgres, Engine.of(postgres, model, config.admin(), feedback));
    }

    /** {@code cairn admin init}: roles and privileges that enforce who may do what on a shared server. */
    public dev.cairn.api.migration.AdminSetup setUpPrivileges() {
        return engine.setUpPrivileges();
    }

    /** {@code cairn admin add-user}: makes a login role a Cairn user or admin of the database. */
    public void addUser(String name, char[] password, boolean admin) {
        engine.addUser(name, password, admin);
    }

    /** {@code cairn admin remove-user}: takes a login role's Cairn rights away. */
    public boolean removeUser(String name) {
        return engine.removeUser(name);
    }

    /** {@code cairn admin users}: the Cairn users and admins of the database. */
    public List<dev.cairn.api.migration.AdminSetup.DatabaseUser> users() {
        return engine.users();
    }

    /** Sets the database's policy (auto or manual); needs admin. */
    public dev.cairn.api.migration.DatabaseState setPolicy(dev.cairn.api.migration.Policy policy) {
        return engine.setPolicy(policy);
    }

    /** What {@link #migrate} would do, step by step; changes nothing. */
    public MigrationPlan plan(MigrationRequest request) {
        return engine.plan(request);
    }

    /**
     * Moves the database and datasets as asked. Needs admin. Refuses before changing anything if
     * any part cannot be done; a step that fails leaves its target as it was, and running the same
     * request again finishes the job.
     */
    public MigrationResult migrate(MigrationRequest request) {
        return migrate(request, request.describe());
    }

    /**
     * As {@link #migrate(MigrationRequest)}, with the words the history keeps for how it was asked
     * (the command line that asked for it, say).
     */
    public MigrationResult migrate(MigrationRequest request, String askedAs) {
        return engine.migrate(request, askedAs);
    }

    /** Release, data model, database version and policy, and every dataset's version. */
    public MigrationInfo info() {
        return engine.info();
    }

    /** The newest migrations first; only one dataset's if {@code dataset} is given. */
    public List<HistoryEntry> history(int limit, String dataset) {
        if (limit < 1) {
            throw new InvalidInputException("the history's limit is how many entries to show, 1 or more, not " + limit);
        }
        return engine.history(limit, dataset);
    }

    @Override
    public void close() {
        engine.close();
        postgres.close();
    }
}
