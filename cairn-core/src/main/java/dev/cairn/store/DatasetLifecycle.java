package dev.cairn.store;

import dev.cairn.api.DataModel;
import dev.cairn.api.DatasetNames;
import dev.cairn.api.Feedback;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Revision;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Creating, cloning, renaming and deleting datasets: their rows in {@code cairn.datasets} and
 * their sample tables, always together in one transaction.
 */
public final class DatasetLifecycle {

    private DatasetLifecycle() {
    }

    /**
     * Creates a dataset at {@code version}: its row, and its sample table built by the baseline
     * and every dataset revision up to that version, so that a new dataset is made exactly as an
     * old one is migrated.
     */
    public static DatasetRecord create(Connection tx, DataModel model, String name, Version version,
                                       DatasetTable.Contents contents, Feedback feedback) throws SQLException {
        DatasetNames.check(name);
        if (Access.confined(tx)) {
            // a regular user creates no table: the checked path builds it, from the revisions' SQL
            long id = Access.createDataset(tx, name, version, contents);
            return DatasetTable.byId(tx, id).orElseThrow();
        }
        DatasetRecord r = DatasetTable.insert(tx, name, version, model.oldestAccepting(version, Revision.Scope.DATASET),
                contents);
        DatasetContext ctx = DatasetContext.dataset(tx, r.id(), feedback);
        for (Revision rev : model.between(Version.of(0, 0, 0), version, Revision.Scope.DATASET)) {
            rev.up(ctx);
        }
        SampleTable.giveToOwner(tx, r.id());
        return r;
    }

    /**
     * Copies a dataset under a new name, at the same version as the source, content as stored.
     * The source is kept from changing while it is copied.
     */
    public static DatasetRecord cloneDataset(Connection tx, DataModel model, String from, String to, boolean views,
                                             Feedback feedback) throws SQLException {
        DatasetNames.check(to);
        DatasetRecord source = Access.confined(tx) ? readForCopy(tx, from)
                : DatasetTable.lockForCopy(tx, from).orElseThrow(() -> DatasetTable.missing(from));
        if (!model.knows(source.version())) {
            throw new RefusedException("the dataset " + Texts.quoted(from) + " is at data model " + source.version()
                    + ", which this client (release " + model.release() + ") does not know, so it cannot copy it;"
                    + " clone it with a newer release");
        }
        SampleTable.lockForRead(tx, source.id(), source.name());
        DatasetRecord copy = create(tx, model, to, source.version(), new DatasetTable.Contents(null, source.info(),
                source.tags(), source.classes(), source.fields()), feedback);
        long rows = SampleTable.copyAll(tx, source.id(), copy.id());
        DatasetTable.setCount(tx, copy.id(), rows);
        if (views) {
            ViewTable.copy(tx, source.id(), copy.id());
        }
        return DatasetTable.byId(tx, copy.id()).orElseThrow();
    }

    /**
     * The source of a copy for a user who may only read it (a row lock needs the right to change
     * it): its sample table's shared lock keeps it from migrating, and its record is read after.
     */
    private static DatasetRecord readForCopy(Connection tx, String from) throws SQLException {
        DatasetRecord found = DatasetTable.byName(tx, from).orElseThrow(() -> DatasetTable.missing(from));
        SampleTable.lockForRead(tx, found.id(), found.name());
        return DatasetTable.byId(tx, found.id()).orElseThrow(() -> DatasetTable.gone(from));
    }

    /** Deletes a dataset's row and its sample table; returns whether it existed. */
    public static boolean delete(Connection tx, String name) throws SQLException {
        if (Access.confined(tx)) {
            return Access.deleteDataset(tx, name);
        }
        Optional<Long> id = DatasetTable.delete(tx, name);
        if (id.isEmpty()) {
            return false;
        }
        SampleTable.drop(tx, id.get());
        return true;
    }
}
