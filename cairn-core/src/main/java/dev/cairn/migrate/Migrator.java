package dev.cairn.migrate;

import dev.cairn.api.CairnException;
import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Release;
import dev.cairn.api.Remedy;
import dev.cairn.api.Revision;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.MigrationPlan;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.api.migration.StepResult;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Postgres;
import dev.cairn.store.Sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * {@code cairn migrate}: plans a migration from the database as it is, refuses before changing
 * anything if any part cannot be done (unknown versions, irreversible revisions, datasets this
 * client does not know), then runs it step by step under the database migration lock.
 *
 * <p>Going up, the database moves first and the datasets follow; going down, every dataset above
 * the destination comes down first (a dataset is never ahead of its database) and the database
 * last. While it runs, the database records where it is going, so that no lazy upgrade undoes a
 * downgrade under way or interrupted; running the same command again finishes it.
 */
final class Migrator {

    private final Postgres postgres;
    private final DataModel model;
    private final boolean admin;
    private final Feedback feedback;
    private final Steps steps;
    private final Connect connect;
    /** The lock of the migration under way, checked before every step. */
    private volatile DatabaseLock lock;

    Migrator(Postgres postgres, DataModel model, boolean admin, Feedback feedback, Steps steps, Connect connect) {
        this.postgres = postgres;
        this.model = model;
        this.admin = admin;
        this.feedback = feedback;
        this.steps = steps;
        this.connect = connect;
    }

    /** The destination of a request: its version, its release's version, or this client's. */
    Version target(MigrationRequest request) {
        if (request.release() != null) {
            Version r = request.release();
            Optional<Release> release = model.findRelease(r);
            if (release.isEmpty()) {
                if (r.isAfter(model.release())) {
                    throw new RefusedException("release " + r + " is newer than this client (release " + model.release()
                            + "), which does not know its data model; run the migration with release " + r
                            + " or newer");
                }
                throw new InvalidInputException("there is no Cairn release " + r + "; the releases are "
                        + model.releases().stream().map(x -> x.release().toString()).collect(Collectors.joining(", "))
                        + " ('{0}' lists them with their data model versions)", List.of(new Remedy.ListReleases()));
            }
            return release.get().dataModel();
        }
        if (request.version() != null) {
            Version v = request.version();
            if (v.isAfter(model.version())) {
                throw new RefusedException("data model " + v + " is newer than this client's (" + model.version()
                        + ", release " + model.release() + "), so it does not know the way there; run the migration"
                        + " with a newer release");
            }
            if (!model.knows(v)) {
                throw new InvalidInputException(v + " is not a data model version; the versions are "
                        + model.versions().stream().map(Version::toString).collect(Collectors.joining(", "))
                        + " ('{0}' maps releases to them)", List.of(new Remedy.ListReleases()));
            }
            return v;
        }
        return model.version();
    }

    MigrationPlan plan(MigrationRequest request) {
        Version target = target(request);
        Optional<DatabaseState> db = connect.inspect();
        return postgres.withConnection(c -> compute(c, request, target, db), "planning the migration");
    }

    /**
     * The plan for a request, from the database as it is: the steps in the order they run (going
     * down, datasets before the database; going up, after it), with notes for the admin. Refuses,
     * before anything changes, what cannot be done.
     */
    private MigrationPlan compute(Connection c, MigrationRequest request, Version t, Optional<DatabaseState> found)
            throws SQLException {
        if (found.isEmpty()) {
            if (request.scope() == MigrationRequest.Scope.NAMED) {
                throw new NotFoundException("there is no Cairn database in the " + postgres.description() + " yet, so no"
                        + " dataset to migrate; create it with: {0}", List.of(new Remedy.Migrate(MigrationRequest.database())));
            }
            return new MigrationPlan(postgres.description(), Optional.empty(), t, List.of(new MigrationPlan.Step(
                    Optional.empty(), null, t, List.of("create the Cairn database at " + t))), List.of());
        }
        DatabaseState db = found.get();
        Version d = db.version();
        boolean moveDatabase = request.scope() != MigrationRequest.Scope.NAMED;
        checkDatabase(db, moveDatabase);
        List<String> notes = new ArrayList<>();
        db.pending().ifPresent(p -> notes.add(p.live()
                ? "another admin's migration is under way (" + p.describe() + "); this one waits for it"
                : "an interrupted migration is recorded (" + p.describe() + "); this one takes its place"
                + (p.target().equals(t) ? " and finishes it" : "")));
        Map<String, DatasetRecord> all = new LinkedHashMap<>();
        for (DatasetRecord r : DatasetTable.list(c)) {
            all.put(r.name(), r);
        }
        List<DatasetRecord> moving = selected(request, all, t, d);
        if (moveDatabase && t.isBefore(d)) {
            for (DatasetRecord r : all.values()) {
                if (r.version().isAfter(t) && !moving.contains(r)) {
                    moving.add(r);
                    notes.add("the dataset " + Texts.quoted(r.name()) + " (at " + r.version() + ") comes down with the"
                            + " database: a dataset is never ahead of its database");
                }
            }
        }
        refuseWithoutSampleTable(c, moving);
        List<MigrationPlan.Step> downs = new ArrayList<>();
        List<MigrationPlan.Step> ups = new ArrayList<>();
        for (DatasetRecord r : moving) {
            plannedStep(r, t, d, moveDatabase, notes).ifPresent(step -> (step.down() ? downs : ups).add(step));
        }
        if (request.scope() == MigrationRequest.Scope.NAMED && t.isBefore(d) && !downs.isEmpty()) {
            notes.add("the database stays at " + d + ", so these datasets upgrade back to " + d + " when they are next"
                    + " loaded; to keep them down, move the database down too (the database and every dataset to "
                    + t + ")");
        }
        List<MigrationPlan.Step> plan = new ArrayList<>();
        if (moveDatabase && !d.equals(t)) {
            MigrationPlan.Step database = step(Optional.empty(), d, t, Revision.Scope.DATABASE);
            if (t.isBefore(d)) {
                plan.addAll(downs);
                plan.add(database);
                notes.add("going down pins the database at " + t + ": no client upgrades it automatically until an"
                        + " admin migrates it again");
            } else {
                plan.add(database);
                plan.addAll(downs);
            }
        } else {
            plan.addAll(downs);
        }
        plan.addAll(ups);
        refuseIrreversible(plan);
        for (Revision r : model.between(t, d)) {
            if (moveDatabase && t.isBefore(d) && r.downNote().isPresent()) {
                notes.add("going below " + r.version() + ": " + r.downNote().get());
            }
        }
        return new MigrationPlan(postgres.description(), Optional.of(d), t, plan, notes);
    }

    /** Refuses a database whose record cannot be right, or that only a newer client may move. */
    private void checkDatabase(DatabaseState db, boolean moveDatabase) {
        Version d = db.version();
        if (!model.knows(d) && d.isBefore(model.version())) {
            throw new DamagedDatabaseException("the database is recorded at version " + d + ", which is no data model"
                    + " version (they are " + model.versions() + "): its record was tampered with. Nothing was changed.");
        }
        DatabaseTable.checkConsistent(db, model);
        if (moveDatabase && d.isAfter(model.version())) {
            throw new RefusedException("the database is at data model " + d + ", newer than this client's ("
                    + model.version() + ", release " + model.release() + "): only a client that knows " + d + " can move"
                    + " it. Run the migration with release " + db.writtenByRelease() + " or newer. Nothing was changed.");
        }
    }

    /** The datasets the request names (every one, for --all), refusing names that are not there. */
    private static List<DatasetRecord> selected(MigrationRequest request, Map<String, DatasetRecord> all, Version t,
                                                Version d) {
        List<DatasetRecord> selected = new ArrayList<>();
        if (request.scope() == MigrationRequest.Scope.ALL) {
            selected.addAll(all.values());
        } else if (request.scope() == MigrationRequest.Scope.NAMED) {
            List<String> missing = new ArrayList<>();
            for (String name : request.datasets()) {
                DatasetRecord r = all.get(name);
                if (r == null) {
                    missing.add(Texts.quoted(name));
                } else if (!selected.contains(r)) {
                    selected.add(r);
                }
            }
            if (!missing.isEmpty()) {
                throw new NotFoundException("there is no dataset named " + String.join(", ", missing)
                        + "; nothing was changed ('{0}' shows the datasets)", List.of(new Remedy.ListDatasets()));
            }
            if (t.isAfter(d)) {
                throw new RefusedException("a dataset is never ahead of its database, which is at " + d + ": move the"
                        + " database first ({0}), or move both at once ({1}). Nothing was changed.",
                        List.of(new Remedy.Migrate(MigrationRequest.database().to(t)),
                                new Remedy.Migrate(MigrationRequest.all().to(t))));
            }
        }
        return selected;
    }

    private static void refuseWithoutSampleTable(Connection c, List<DatasetRecord> moving) throws SQLException {
        List<String> tableless = DatasetTable.withoutSampleTable(c);
        List<String> broken = moving.stream().map(DatasetRecord::name).filter(tableless::contains).toList();
        if (!broken.isEmpty()) {
            throw new DamagedDatabaseException("the dataset" + (broken.size() > 1 ? "s " : " ")
                    + broken.stream().map(Texts::quoted).collect(Collectors.joining(", ")) + " to migrate "
                    + (broken.size() > 1 ? "have" : "has") + " no sample table: the database was damaged or tampered"
                    + " with. Restore the table from a backup, or delete the dataset; nothing was changed.");
        }
    }

    /** One dataset's step to {@code t}, none if it is there; refuses a version this client cannot move. */
    private Optional<MigrationPlan.Step> plannedStep(DatasetRecord r, Version t, Version d, boolean moveDatabase,
                                                     List<String> notes) {
        Version v = r.version();
        if (v.equals(t)) {
            return Optional.empty();
        }
        if (v.isAfter(model.version())) {
            throw new RefusedException("the dataset " + Texts.quoted(r.name()) + " is at data model " + v
                    + ", newer than this client (release " + model.release() + ", data model " + model.version()
                    + "), which does not know how to move it; run the migration with a newer release. Nothing was"
                    + " changed.");
        }
        if (!model.knows(v)) {
            throw new DamagedDatabaseException("the dataset " + Texts.quoted(r.name()) + " is recorded at version " + v
                    + ", which is no data model version: its record was tampered with. Nothing was changed.");
        }
        if (v.isAfter(d) && !(moveDatabase && t.isBefore(d))) {
            notes.add("the dataset " + Texts.quoted(r.name()) + " is at " + v + ", ahead of the database (" + d
                    + "), which should never be; it is brought down to " + t);
        }
        return Optional.of(step(Optional.of(r.name()), v, t, Revision.Scope.DATASET));
    }

    /** Refuses a plan with a step down through a revision that cannot go down. */
    private void refuseIrreversible(List<MigrationPlan.Step> plan) {
        for (MigrationPlan.Step s : plan) {
            if (s.from() == null || !s.down()) {
                continue;
            }
            for (Revision r : model.between(s.to(), s.from(), s.dataset().isPresent()
                    ? Revision.Scope.DATASET : Revision.Scope.DATABASE)) {
                if (!r.reversible()) {
                    throw new RefusedException("the " + s.target() + " cannot go down from " + s.from() + " to "
                            + s.to() + ": revision " + r.version() + " (" + r.description() + ") cannot go down: "
                            + r.irreversibleReason().orElse("") + ". Nothing was changed.");
                }
            }
        }
    }

    private MigrationPlan.Step step(Optional<String> dataset, Version from, Version to, Revision.Scope scope) {
        List<Revision> path = new ArrayList<>(from.isBefore(to) ? model.between(from, to, scope) : model.between(to, from, scope));
        if (to.isBefore(from)) {
            Collections.reverse(path);
        }
        List<String> names = path.stream().map(r -> (to.isBefore(from) ? "down " : "up ") + r.version() + ": "
                + r.description()).toList();
        return new MigrationPlan.Step(dataset, from, to, names);
    }

    /** Runs a migration; {@code askedAs} is how the history names it (the command line that asked for it). */
    MigrationResult run(MigrationRequest request, String askedAs) {
        if (!admin) {
            throw new RefusedException("a migration changes data model versions, which only an admin does. Run it as"
                    + " admin: {0}" + (postgres.isLocal() ? ""
                    : " (on a shared server, as a database user with the admin's privileges)") + ". Nothing was changed.",
                    List.of(new Remedy.Migrate(request)));
        }
        Version target = target(request);
        try (Connection control = postgres.connection()) {
            try (DatabaseLock lock = DatabaseLock.acquire(control, feedback, "migrating the database")) {
                this.lock = lock;
                Optional<DatabaseState> found = connect.inspect();
                if (found.isPresent() && !Privileges.canChangeRecords(control)) {
                    throw new RefusedException("the database user " + Texts.quoted(postgres.user()) + " may not change"
                            + " the versions of the " + postgres.description() + " or of its datasets: on this server only"
                            + " its admins may (datasets you may view upgrade by themselves when you load them)."
                            + " Ask one to run it, or to make you one: {0}. Nothing was changed.",
                            List.of(new Remedy.AddUser(postgres.user(), true)));
                }
                MigrationPlan plan = compute(control, request, target, found);
                if (found.isEmpty()) {
                    long start = System.nanoTime();
                    DatabaseState made = connect.initialise(target);
                    StepResult created = new StepResult(Optional.empty(), null, made.version(), StepResult.Outcome.DONE,
                            Duration.ofNanos(System.nanoTime() - start), "created the Cairn database");
                    return new MigrationResult(plan, List.of(created), true, "Created the Cairn database at " + target + ".");
                }
                return execute(control, request, askedAs, plan, found.get());
            }
        } catch (SQLException e) {
            throw Sql.translate(e, "migrating");
        }
    }

    private MigrationResult execute(Connection control, MigrationRequest request, String askedAs, MigrationPlan plan,
                                    DatabaseState db)
            throws SQLException {
        boolean recordsPending = request.scope() != MigrationRequest.Scope.NAMED;
        if (plan.isEmpty()) {
            if (recordsPending && db.pending().isPresent()) {
                DatabaseTable.clearPending(control, feedback);
            }
            return new MigrationResult(plan, List.of(), true, "Nothing to do: " + describeTarget(request, plan)
                    + " at " + plan.target() + " already.");
        }
        if (recordsPending) {
            // the database is pinned by its own step, when it actually goes down: a downgrade that
            // dies before that leaves the database where it was, unpinned
            DatabaseTable.setPending(control, plan.target(), model.release().toString(), Actor.current(), feedback);
        }
        Map<String, DatasetRecord> records = new LinkedHashMap<>();
        for (DatasetRecord r : DatasetTable.list(control)) {
            records.put(r.name(), r);
        }
        postgres.ensureCapacity(request.workers() + 2);
        AtomicBoolean lostLock = new AtomicBoolean();
        List<StepResult> results = runSteps(plan, records, request, askedAs, lostLock);
        boolean complete = results.stream().allMatch(r -> r.outcome() == StepResult.Outcome.DONE
                || r.outcome() == StepResult.Outcome.SKIPPED);
        if (complete && recordsPending) {
            try {
                if (!lock.held()) {
                    throw new SQLException("the migration lock is no longer held", "08003");
                }
                DatabaseTable.clearPending(control, feedback);
            } catch (SQLException e) {
                return new MigrationResult(plan, results, false, "The migration to " + plan.target() + " is incomplete:"
                        + " every step was done and kept, but Cairn lost the connection to the database that holds the"
                        + " migration lock before it cleared the migration's record, so lazy upgrades wait. To clear it,"
                        + " run the same migration again");
            }
        }
        return new MigrationResult(plan, results, complete, complete
                ? "Migrated " + describeTarget(request, plan) + " to " + plan.target() + "."
                : incomplete(plan, results, lostLock.get() || !lock.held(), recordsPending));
    }

    /**
     * Runs the plan's steps in its order: each run of dataset steps side by side, the database's
     * step between them. After a failure (at error level 0) or the loss of the migration lock, the
     * steps not begun are not run; the database does not go down if a dataset that must come
     * down first failed.
     */
    private List<StepResult> runSteps(MigrationPlan plan, Map<String, DatasetRecord> records, MigrationRequest request,
                                      String askedAs, AtomicBoolean lostLock) {
        List<StepResult> results = new ArrayList<>();
        long datasets = plan.steps().stream().filter(s -> s.dataset().isPresent()).count();
        AtomicBoolean stop = new AtomicBoolean();
        boolean datasetFailed = false;
        try (Feedback.Progress progress = datasets > 1 ? feedback.start("migrating " + datasets + " datasets to "
                + plan.target(), datasets, "datasets") : Feedback.Progress.NONE) {
            List<MigrationPlan.Step> phase = new ArrayList<>();
            for (MigrationPlan.Step s : plan.steps()) {
                if (s.dataset().isPresent()) {
                    phase.add(s);
                    continue;
                }
                List<StepResult> done = datasetPhase(phase, records, request, askedAs, stop, progress);
                results.addAll(done);
                datasetFailed |= done.stream().anyMatch(r -> r.outcome() == StepResult.Outcome.FAILED);
                phase.clear();
                if (!stop.get() && !lock.held()) {
                    stop.set(true);
                    lostLock.set(true);
                }
                if (stop.get() || datasetFailed && s.down()) {
                    results.add(new StepResult(Optional.empty(), s.from(), s.to(), StepResult.Outcome.NOT_RUN,
                            Duration.ZERO, s.down() ? "not run: a dataset that must come down first failed"
                            : "not run: the migration stopped at an earlier failure"));
                    stop.set(true);
                    continue;
                }
                StepResult r = steps.database(s.from(), s.to(), askedAs, true);
                results.add(r);
                if (r.outcome() == StepResult.Outcome.FAILED) {
                    stop.set(true);
                }
            }
            results.addAll(datasetPhase(phase, records, request, askedAs, stop, progress));
        }
        return results;
    }

    /** What an unfinished migration says: how many steps failed or did not run, and that running it again finishes it. */
    private static String incomplete(MigrationPlan plan, List<StepResult> results, boolean lostLock,
                                     boolean recordsPending) {
        long failed = results.stream().filter(r -> r.outcome() == StepResult.Outcome.FAILED).count();
        long notRun = results.stream().filter(r -> r.outcome() == StepResult.Outcome.NOT_RUN).count();
        return "The migration to " + plan.target() + " is incomplete: "
                + (failed > 0 ? failed + " step(s) failed" + (notRun > 0 ? " and " + notRun + " did not run" : "")
                : notRun + " step(s) did not run")
                + (lostLock ? " (Cairn lost the connection to the database that holds the migration lock, so no"
                + " further step started)" : "") + ". What was done is kept, each step whole; "
                + (recordsPending ? "the database records the unfinished migration, so lazy upgrades wait. " : "")
                + "Fix the cause and run the same migration again";
    }

    /**
     * Runs dataset steps side by side on {@code request.workers()} threads, each step on a
     * connection of its own; at error level 0 a failure keeps the steps not yet begun from
     * starting. Results come back in the plan's order.
     */
    private List<StepResult> datasetPhase(List<MigrationPlan.Step> phase, Map<String, DatasetRecord> records,
                                          MigrationRequest request, String askedAs,
                                          AtomicBoolean stop,
                                          Feedback.Progress progress) {
        if (phase.isEmpty()) {
            return List.of();
        }
        int threads = Math.min(request.workers(), phase.size());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cairn-migrate");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<StepResult>> futures = new ArrayList<>();
            for (MigrationPlan.Step s : phase) {
                futures.add(pool.submit(() -> datasetStep(s, records.get(s.dataset().get()), request, askedAs, stop, progress)));
            }
            List<StepResult> out = new ArrayList<>();
            for (java.util.concurrent.Future<StepResult> f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new CairnException("migrating datasets", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CairnException("interrupted while migrating datasets", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private StepResult datasetStep(MigrationPlan.Step s, DatasetRecord record, MigrationRequest request, String askedAs,
                                   AtomicBoolean stop, Feedback.Progress progress) {
        if (!stop.get() && !lock.held()) {
            stop.set(true);
            feedback.notice("lost the connection to the database that holds the migration lock: no further step starts");
        }
        if (stop.get()) {
            return new StepResult(s.dataset(), s.from(), s.to(), StepResult.Outcome.NOT_RUN, Duration.ZERO,
                    "not run: the migration stopped at an earlier failure");
        }
        StepResult r;
        try {
            r = record == null
                    ? new StepResult(s.dataset(), s.from(), s.to(), StepResult.Outcome.SKIPPED, Duration.ZERO,
                    "deleted meanwhile")
                    : steps.dataset(record, s.to(), askedAs, false);
        } catch (CairnException e) {
            r = new StepResult(s.dataset(), s.from(), s.to(), StepResult.Outcome.FAILED, Duration.ZERO, e.getMessage());
        }
        progress.advance(1);
        if (r.outcome() == StepResult.Outcome.FAILED) {
            if (request.errorLevel() == 0) {
                stop.set(true);
            } else if (request.errorLevel() == 1) {
                feedback.notice("warning: the " + r.target() + " was not migrated: " + r.message());
            }
        }
        return r;
    }

    private static String describeTarget(MigrationRequest request, MigrationPlan plan) {
        long datasets = plan.steps().stream().filter(s -> s.dataset().isPresent()).count();
        return switch (request.scope()) {
            case DATABASE -> "the database" + (datasets > 0 ? " and " + datasets + " dataset(s) above it" : "");
            case ALL -> "the database and every dataset";
            case NAMED -> request.datasets().size() == 1 ? "the dataset " + Texts.quoted(request.datasets().get(0))
                    : "the named datasets";
        };
    }
}
