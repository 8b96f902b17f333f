package dev.cairn.api.migration;

import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;

import java.util.List;

/**
 * What an admin asks {@code cairn migrate} to do.
 *
 * @param scope      the database only, the database and every dataset, or only the named datasets
 * @param datasets   the named datasets, for {@link Scope#NAMED}
 * @param version    the destination data model version, or {@code null}
 * @param release    the destination release (its data model version), or {@code null}; at most
 *                   one of version and release; neither means this client's version
 * @param errorLevel on a dataset's failure: 0 stop, 1 warn and go on, 2 go on silently
 * @param workers    how many datasets migrate side by side
 */
public record MigrationRequest(Scope scope, List<String> datasets, Version version, Version release, int errorLevel,
                               int workers) {

    /** Which parts of the database a migration moves. */
    public enum Scope {
        /** {@code cairn migrate}: the database's own tables; datasets follow lazily. */
        DATABASE,
        /** {@code cairn migrate --all}: the database and every dataset. */
        ALL,
        /** {@code cairn migrate -n A B}: only the named datasets. */
        NAMED
    }

    public MigrationRequest {
        datasets = datasets == null ? List.of() : List.copyOf(datasets);
        if (scope == Scope.NAMED && datasets.isEmpty()) {
            throw new InvalidInputException("name at least one dataset to migrate");
        }
        if (scope != Scope.NAMED && !datasets.isEmpty()) {
            throw new InvalidInputException("datasets are named only in a request for named datasets");
        }
        if (version != null && release != null) {
            throw new InvalidInputException("give the destination either as a data model version or as a release, not both");
        }
        if (errorLevel < 0 || errorLevel > 2) {
            throw new InvalidInputException("the error level is 0 (stop), 1 (warn and go on) or 2 (go on silently), not "
                    + errorLevel);
        }
        if (workers < 1 || workers > 64) {
            throw new InvalidInputException("workers must be from 1 to 64, not " + workers);
        }
    }

    /**
     * How many datasets migrate side by side unless asked otherwise: as many as there are
     * processors, from 2 to 4 (a dataset step spends much of its time waiting for the database).
     */
    public static int defaultWorkers() {
        return Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    public static MigrationRequest database() {
        return new MigrationRequest(Scope.DATABASE, List.of(), null, null, 0, defaultWorkers());
    }

    public static MigrationRequest all() {
        return new MigrationRequest(Scope.ALL, List.of(), null, null, 0, defaultWorkers());
    }

    public static MigrationRequest named(String... datasets) {
        return new MigrationRequest(Scope.NAMED, List.of(datasets), null, null, 0, defaultWorkers());
    }

    public MigrationRequest to(Version v) {
        return new MigrationRequest(scope, datasets, v, null, errorLevel, workers);
    }

    public MigrationRequest toRelease(Version r) {
        return new MigrationRequest(scope, datasets, null, r, errorLevel, workers);
    }

    public MigrationRequest errorLevel(int level) {
        return new MigrationRequest(scope, datasets, version, release, level, workers);
    }

    public MigrationRequest workers(int n) {
        return new MigrationRequest(scope, datasets, version, release, errorLevel, n);
    }

    /** This request in the Java API's words, such as {@code MigrationRequest.all().to(0.1.0)}. */
    public String describe() {
        StringBuilder s = new StringBuilder("MigrationRequest.");
        switch (scope) {
            case DATABASE -> s.append("database()");
            case ALL -> s.append("all()");
            case NAMED -> s.append("named(").append(String.join(", ", datasets.stream().map(Texts::javaLiteral).toList()))
                    .append(')');
        }
        if (version != null) {
            s.append(".to(").append(version).append(')');
        }
        if (release != null) {
            s.append(".toRelease(").append(release).append(')');
        }
        return s.toString();
    }
}
