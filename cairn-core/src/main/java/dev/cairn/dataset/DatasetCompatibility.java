package dev.cairn.dataset;

import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.DataModel;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Release;
import dev.cairn.api.Remedy;
import dev.cairn.api.Revision;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.store.DatasetRecord;

import java.util.List;
import java.util.Optional;

/**
 * Whether this client may use a dataset stored at a given version, and at which version it then
 * works. The rules are DESIGN.md's Connecting table, applied to one dataset:
 * the same version is used as it is; an older one is used as it is if every dataset revision
 * since is compatible; a newer one if it still accepts this client's data model version.
 */
public final class DatasetCompatibility {

    private DatasetCompatibility() {
    }

    /**
     * The version this client works at on the dataset, or a refusal that says why and what to do.
     *
     * @param writtenBy the release that last moved the database, to name in a refusal
     */
    public static Version workingVersion(DataModel model, DatasetRecord d, String writtenBy) {
        Version c = model.version();
        Version v = d.version();
        if (v.equals(c)) {
            return c;
        }
        if (v.isBefore(c)) {
            if (!model.knows(v)) {
                throw new DamagedDatabaseException("the dataset " + Texts.quoted(d.name()) + " is recorded at version "
                        + v + ", which is no data model version Cairn ever had (they are "
                        + model.versions() + "): its record was tampered with");
            }
            Optional<Revision> blocker = model.between(v, c, Revision.Scope.DATASET).stream()
                    .filter(r -> !r.compatible()).findFirst();
            if (blocker.isEmpty()) {
                return v;
            }
            Release older = model.newestReleaseWorkingAt(v).orElse(null);
            throw new RefusedException("the dataset " + Texts.quoted(d.name()) + " is at data model " + v
                    + ", and this client (release " + model.release() + ", data model " + c + ") cannot work at "
                    + v + ": revision " + blocker.get().version() + " (" + blocker.get().description()
                    + ") is not compatible. Upgrade the dataset: {0} (the database must be at " + c + " first: {1})"
                    + (older == null ? "" : ", or use release " + older.release() + ", which works at " + v),
                    List.of(new Remedy.Migrate(MigrationRequest.named(d.name())),
                            new Remedy.Migrate(MigrationRequest.database())));
        }
        if (d.minClientVersion().isAtMost(c)) {
            return c;
        }
        throw new RefusedException("the dataset " + Texts.quoted(d.name()) + " is at data model " + v
                + ", which accepts clients of data model " + d.minClientVersion() + " or newer; this client is release "
                + model.release() + " with data model " + c + ". Install a newer Cairn release"
                + (writtenBy == null ? "" : " (the database was last moved by release " + writtenBy + ")")
                + ", or ask an admin to move the dataset down with that newer release: {0}",
                List.of(new Remedy.Migrate(MigrationRequest.named(d.name()).to(c))));
    }
}
