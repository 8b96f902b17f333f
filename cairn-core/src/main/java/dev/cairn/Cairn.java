package dev.cairn;

import dev.cairn.api.AccessLevel;
import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Dataset;
import dev.cairn.api.DatasetAccess;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.DatasetNames;
import dev.cairn.api.Feedback;
import dev.cairn.api.ImportResult;
import dev.cairn.api.Remedy;
import dev.cairn.api.Version;
import dev.cairn.dataset.DatasetCompatibility;
import dev.cairn.dataset.StoredDataset;
import dev.cairn.json.JsonLines;
import dev.cairn.migrate.Engine;
import dev.cairn.model.CairnModel;
import dev.cairn.store.Access;
import dev.cairn.store.DatasetLifecycle;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Layout;
import dev.cairn.store.Postgres;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A client of one Cairn database: the entry point of the Java API.
 *
 * <pre>{@code
 * try (Cairn cairn = Cairn.open()) {
 *     Dataset pets = cairn.create("pets");
 *     pets.add(Sample.of("/data/cat.jpg").with("label", Classification.of("cat")));
 * }
 * }</pre>
 *
 * Opening connects by DESIGN.md's Connecting rules: the database is created on first use,
 * upgraded if its policy and the user allow it, used at its own version if this client can, and
 * otherwise refused with a message that says what to do, before anything is written.
 */
public final class Cairn implements AutoCloseable {

    private final CairnConfig config;
    private final Postgres postgres;
    private final Engine engine;
    private final Feedback feedback;

    private Cairn(CairnConfig config, Postgres postgres, Engine engine, Feedback feedback) {
        this.config = config;
        this.postgres = postgres;
        this.engine = engine;
        this.feedback = feedback;
    }

    /** Opens the database the environment and {@code CAIRN_HOME/config.json} point at. */
    public static Cairn open() {
        return open(CairnConfig.load());
    }

    public static Cairn open(CairnConfig config) {
        return open(config, Feedback.NONE);
    }

    public static Cairn open(CairnConfig config, Feedback feedback) {
        return open(config, dataModel(config), feedback);
    }

    /** Opens with a data model of the caller's: for tests and tools that define their own revisions. */
    public static Cairn open(CairnConfig config, DataModel model, Feedback feedback) {
        Postgres postgres = Postgres.connect(config, feedback);
        try {
            Engine engine = Engine.of(postgres, model, config.admin(), feedback).connect();
            return new Cairn(config, postgres, engine, feedback);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    /** The data model this release ships: every revision and release up to it. */
    public static DataModel shippedModel() {
        return CairnModel.shipped();
    }

    /**
     * The data model a configuration's client knows: this release's, an older release's, or that of
     * a build at an older data model version at which no release was cut (for tests).
     */
    public static DataModel dataModel(CairnConfig config) {
        DataModel shipped = CairnModel.shipped();
        if (config.clientRelease().isEmpty()) {
            return shipped;
        }
        Version release = config.clientRelease().get();
        if (shipped.findRelease(release).isPresent()) {
            return shipped.asOfRelease(release);
        }
        if (shipped.knows(release)) {
            return shipped.asOfDataModel(release);
        }
        throw new dev.cairn.api.ConfigurationException(CairnConfig.Setting.CLIENT_RELEASE.environmentVariable()
                + " is " + release + ", which is not a release this build knows: there is no Cairn release " + release
                + "; the releases are " + shipped.releases().stream().map(r -> r.release().toString())
                .collect(java.util.stream.Collectors.joining(", ")) + " (see {0}), and it is no data model"
                + " version either (they are " + shipped.versions().stream().map(Version::toString)
                .collect(java.util.stream.Collectors.joining(", ")) + ")", List.of(new Remedy.ListReleases()));
    }

    public CairnConfig config() {
        return config;
    }

    /** What this client knows: its release, its data model and every revision up to it. */
    public DataModel dataModel() {
        return engine.model();
    }

    /** The data model version this client works at on this database. */
    public Version workingVersion() {
        return engine.workingVersion();
    }

    /** Which database this is, for people. */
    public String database() {
        return postgres.description();
    }

    /** Every dataset, by name, with its version and sample count. */
    public List<DatasetInfo> datasets() {
        return postgres.withConnection(c -> DatasetTable.list(c).stream().map(r -> r.toInfo(r.sampleCount())).toList(),
                "listing datasets");
    }

    public boolean exists(String name) {
        return postgres.withConnection(c -> DatasetTable.byName(c, name).isPresent(), "looking up a dataset");
    }

    /** Creates an empty dataset at the database's version. */
    public Dataset create(String name) {
        DatasetNames.check(name);
        DatasetRecord r = postgres.inTransaction(tx -> usable(DatasetLifecycle.create(tx, engine.model(), name,
                engine.versionForNewDataset(tx), DatasetTable.Contents.empty(), feedback)), "creating a dataset");
        return handle(r);
    }

    /**
     * Refuses, inside the creating transaction, a dataset this client could not use: one made at
     * the destination of a downgrade under way that this client cannot work at.
     */
    private DatasetRecord usable(DatasetRecord made) {
        DatasetCompatibility.workingVersion(engine.model(), made, null);
        return made;
    }

    /**
     * Loads a dataset: upgrades it first if it is older than the database and this client knows
     * the way (see {@link Engine#load}), and refuses if this client does not accept its version.
     */
    public Dataset dataset(String name) {
        return handle(engine.load(name));
    }

    private StoredDataset handle(DatasetRecord r) {
        return new StoredDataset(postgres, engine.model(), r, engine::writtenByRelease, engine::databaseWorkingVersion,
                engine::describeMigration, feedback);
    }

    public void rename(String from, String to) {
        DatasetNames.check(to);
        postgres.inTransaction(tx -> {
            DatasetTable.rename(tx, from, to);
            return null;
        }, "renaming a dataset");
    }

    /** Copies a dataset, samples and all, under a new name. */
    public Dataset clone(String from, String to) {
        DatasetRecord r = postgres.inTransaction(tx -> DatasetLifecycle.cloneDataset(tx, engine.model(), from, to,
                Layout.at(engine.databaseWorkingVersion(tx)).savedViews(), feedback), "cloning a dataset");
        return handle(r);
    }

    /**
     * Who may do what with a dataset, on a shared database with access control ({@code cairn
     * admin init}); refused elsewhere, where every user may use every dataset.
     */
    public DatasetAccess access(String dataset) {
        return postgres.withConnection(c -> Access.read(c, dataset), "reading who may use a dataset");
    }

    /** Gives a user a level of access to a dataset; needs manage access to it. */
    public void grant(String dataset, String user, AccessLevel level) {
        java.util.Objects.requireNonNull(level, "level");
        postgres.inTransaction(tx -> {
            Access.setAccess(tx, dataset, user, level);
            return null;
        }, "granting access to a dataset");
    }

    /** Takes away what a user was granted on a dataset (the dataset's default level stays theirs); needs manage. */
    public void revoke(String dataset, String user) {
        postgres.inTransaction(tx -> {
            Access.setAccess(tx, dataset, user, null);
            return null;
        }, "revoking access to a dataset");
    }

    /** Sets the level every regular user has on a dataset unless granted more; needs manage. */
    public void setDefaultAccess(String dataset, AccessLevel level) {
        java.util.Objects.requireNonNull(level, "level");
        postgres.inTransaction(tx -> {
            Access.setDefault(tx, dataset, level);
            return null;
        }, "setting a dataset's default access");
    }

    /** Deletes a dataset and all its samples; returns whether it existed. */
    public boolean delete(String name) {
        return postgres.inTransaction(tx -> DatasetLifecycle.delete(tx, name), "deleting a dataset");
    }

    /**
     * Imports a dataset from Cairn's JSON Lines format, all or nothing.
     *
     * @param source     the input's name for messages (a path, or "standard input")
     * @param name       the new dataset's name, or {@code null} for the name in the file
     * @param replace    whether to replace a dataset of that name, in the same transaction
     * @param totalBytes the input's size for progress, or -1
     */
    public ImportResult importLines(InputStream in, String source, String name, boolean replace,
                                              long totalBytes) {
        if (name != null) {
            DatasetNames.check(name);
        }
        if (!replace && name != null && exists(name)) {
            throw new AlreadyExistsException("a dataset named " + dev.cairn.api.Texts.quoted(name) + " exists already;"
                    + " choose another name, or replace it");
        }
        return JsonLines.importLines(postgres, engine.model(), in, totalBytes,
                new JsonLines.ImportOptions(source, name, replace), engine::versionForNewDataset, feedback);
    }

    /** Exports a dataset in Cairn's JSON Lines format; returns how many samples were written. */
    public long export(String name, OutputStream out) {
        StoredDataset d = (StoredDataset) dataset(name);
        return d.exportTo(out, feedback);
    }

    @Override
    public void close() {
        engine.close();
        postgres.close();
    }
}
