package dev.cairn.badinput;

import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Classification;
import dev.cairn.api.Dataset;
import dev.cairn.api.Feedback;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.testing.Backend;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The databases bad inputs are tried on: one that many cases share, made when the first needs it
 * (a case must leave it as it found it, which is what it checks), and, for each case on a
 * tampered database, one of its own.
 */
public final class Fixtures {

    /** Changes a database behind Cairn's back. */
    @FunctionalInterface
    public interface Tamper {
        void apply(Db db) throws Exception;
    }

    private static final Map<String, Db> MADE = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /**
     * A database at this release's data model with two datasets: {@code pets} (three samples, an
     * {@code int} field {@code n} and a classification {@code label}) and {@code empty}.
     */
    public static Supplier<Db> shared() {
        return () -> MADE.computeIfAbsent("shared", k -> {
            CairnConfig config = Backend.fresh();
            populate(config);
            return new Db("a database with datasets 'pets' and 'empty'", config);
        });
    }

    /**
     * A database like {@link #shared()}, then tampered with: a new one for every case that uses
     * it, so that a case that wrongly changes it cannot mislead the next.
     */
    public static Supplier<Db> tampered(String label, Tamper tamper) {
        return tampered(label, null, tamper);
    }

    /**
     * A database like {@link #shared()}, of its own, moved to data model {@code at} by an admin
     * (every dataset too), then tampered with; reached as the client of release {@code at}. A new
     * one for every case that uses it.
     */
    public static Supplier<Db> tampered(String label, String at, Tamper tamper) {
        return () -> {
            CairnConfig config = Backend.fresh();
            populate(config);
            if (at != null) {
                try (Migrations m = Migrations.open(config, Feedback.NONE)) {
                    m.migrate(MigrationRequest.all().to(Version.parse(at)));
                }
                config = config.toBuilder().clientRelease(at).build();
            }
            Db db = new Db(label, config);
            try {
                tamper.apply(db);
            } catch (Exception e) {
                throw new IllegalStateException("cannot tamper with the database (" + label + "): " + e, e);
            }
            return db;
        };
    }

    static void populate(CairnConfig config) {
        try (Cairn cairn = Cairn.open(config)) {
            Dataset pets = cairn.create("pets");
            pets.addAll(List.of(
                    Sample.of("/pets/cat.jpg").withTags("train").with("n", 1L).with("label", Classification.of("cat", 0.9)),
                    Sample.of("/pets/dog.jpg").withTags("train").with("n", 2L).with("label", Classification.of("dog", 0.8)),
                    Sample.of("/pets/cow.jpg").withTags("test").with("n", 3L).with("label", Classification.of("cow"))));
            cairn.create("empty");
        }
    }
}
