package dev.cairn.badinput;

import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Dataset;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Java API case works with: its database, and a client of it opened when first asked for
 * (so that opening is part of what the case tries), or before the case if it preloads datasets.
 */
public final class Session implements AutoCloseable {

    private final Db db;
    private final Map<String, Dataset> loaded = new LinkedHashMap<>();
    private Cairn cairn;

    Session(Db db) {
        this.db = db;
    }

    public Db db() {
        return db;
    }

    public CairnConfig config() {
        return db.config();
    }

    /** A client of the database, as the case's configuration makes it. */
    public Cairn cairn() {
        if (cairn == null) {
            cairn = Cairn.open(db.config());
        }
        return cairn;
    }

    /** A dataset loaded through {@link #cairn()}; the same handle every time. */
    public Dataset dataset(String name) {
        Dataset d = loaded.get(name);
        if (d == null) {
            d = cairn().dataset(name);
            loaded.put(name, d);
        }
        return d;
    }

    @Override
    public void close() {
        if (cairn != null) {
            cairn.close();
        }
    }
}
