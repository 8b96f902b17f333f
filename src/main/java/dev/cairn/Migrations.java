package dev.cairn;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.migrate.Engine;
import dev.cairn.migrate.HistoryEntry;
import dev.cairn.migrate.MigrationInfo;
import dev.cairn.store.Postgres;

import java.util.List;

/**
 * The {@code cairn migrate} commands, from Java. Unlike {@link Cairn#open}, opening this does not
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
        DataModel model = Cairn.dataModel(config);
        Postgres postgres = Postgres.connect(config, feedback);
        return new Migrations(postgres, Engine.of(postgres, model, config.admin(), feedback));
    }

    /** Release, data model, database version and policy, and every dataset's version. */
    public MigrationInfo info() {
        return engine.info();
    }

    /** The newest migrations first; only one dataset's if {@code dataset} is given. */
    public List<HistoryEntry> history(int limit, String dataset) {
        return engine.history(limit, dataset);
    }

    @Override
    public void close() {
        postgres.close();
    }
}
