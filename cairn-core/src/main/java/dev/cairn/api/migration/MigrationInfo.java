package dev.cairn.api.migration;

import dev.cairn.api.Version;

import java.util.List;
import java.util.Optional;

/**
 * What {@code cairn migrate --info} reports; it is read without changing anything.
 *
 * @param release          this client's release
 * @param dataModel        this client's data model version
 * @param worksAsIsFrom    the oldest database version this client works at as it is (every revision
 *                         since is compatible); newer databases say themselves whether they accept it
 * @param database         which database, for people
 * @param state            its records, or empty if there is no Cairn database there yet
 * @param working          the version this client would work at, if it may connect
 * @param verdict          what connecting would do, in words
 * @param datasets         every dataset, by name
 * @param interrupted      migrations whose client went away before they ended
 * @param damaged          whether the database's records were found tampered with or damaged
 */
public record MigrationInfo(Version release, Version dataModel, Version worksAsIsFrom, String database,
                            Optional<DatabaseState> state, Optional<Version> working, String verdict,
                            List<DatasetStatus> datasets, List<HistoryEntry> interrupted, boolean damaged) {
}
