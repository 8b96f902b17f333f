package dev.cairn.migrate;

import dev.cairn.api.CairnException;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.Revision;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.PendingMigration;
import dev.cairn.api.migration.StepResult;
import dev.cairn.dataset.Waits;
import dev.cairn.store.Access;
import dev.cairn.store.DatasetContext;
import dev.cairn.store.DatasetRecord;
import dev.cairn.store.DatasetTable;
import dev.cairn.store.Postgres;
import dev.cairn.store.SampleTable;
import dev.cairn.store.Sql;
import dev.cairn.store.Statements;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The two kinds of step every migration is made of: moving the database's own tables from one
 * version to another, and moving one dataset's content. Each step is one transaction that locks
 * what it moves, checks under the lock that it is still where the plan found it (so no revision
 * is applied twice, whatever runs at the same time), applies the revisions (up, oldest first, or
 * down, newest first) and records the new version with them. A step is written to the history
 * before it starts and when it ends.
 */
final class Steps {

    private final Postgres postgres;
    private final DataModel model;
    private final Feedback feedback;

    Steps(Postgres postgres, DataModel model, Feedback feedback) {
        this.postgres = postgres;
        this.model = model;
        this.feedback = feedback;
    }

    /**
     * Moves the database's own tables from {@code from} to {@code to}.
     *
     * @param explicit whether an admin asked for it (an explicit downgrade pins the database at
     *                 its new version, an explicit upgrade unpins it)
     */
    StepResult database(Version from, Version to, String command, boolean explicit) {
        long start = System.nanoTime();
        try (Connection c = postgres.connection()) {
            long history = History.start(c, null, null, from, to, Actor.current(), model.release().toString(), command);
            try {
                Sql.inTransaction(c, tx -> {
                    DatabaseState now = DatabaseTable.readExclusive(tx, feedback);
                    if (!now.version().equals(from)) {
                        throw new Moved(now.version());
                    }
                    DatasetContext ctx = DatasetContext.database(tx, feedback);
                    if (to.isAfter(from)) {
                        for (Revision r : model.between(from, to, Revision.Scope.DATABASE)) {
                            r.up(ctx);
                        }
                    } else if (to.isBefore(from)) {
                        List<String> ahead = datasetsAbove(tx, to);
                        if (!ahead.isEmpty()) {
                            throw new CairnException("the database cannot go down to " + to + " while datasets are above it ("
                                    + String.join(", ", ahead) + "): a dataset is never ahead of its database", null);
                        }
                        List<Revision> undo = new ArrayList<>(model.between(to, from, Revision.Scope.DATABASE));
                        Collections.reverse(undo);
                        for (Revision r : undo) {
                            r.down(ctx);
                        }
                    }
                    DatabaseTable.ensureMovedNotice(tx);
                    DatabaseTable.setVersion(tx, to, model.oldestAccepting(to, null), model.release().toString());
                    if (explicit && !to.equals(from)) {
                        DatabaseTable.setPinned(tx, to.isBefore(from));
                    }
                    if (Privileges.rolesExist(tx)) {
                        // what the revisions made is the admin role's, and regular users' lazy
                        // upgrades run the SQL of the dataset revisions up to this version
                        Privileges.secure(tx, Privileges.Roles.of(Privileges.database(tx)), model);
                    }
                    // in the same transaction: the history says done exactly when it is
                    History.finish(tx, history, "ok", null);
                    return null;
                });
                return new StepResult(Optional.empty(), from, to, StepResult.Outcome.DONE, since(start), null);
            } catch (Moved m) {
                Version now = m.now;
                String message = "the database was at " + now + " by then: another client had moved it";
                finish(c, history, "skipped", message);
                return new StepResult(Optional.empty(), from, to, now.equals(to) ? StepResult.Outcome.SKIPPED
                        : StepResult.Outcome.FAILED, since(start), message);
            } catch (SQLException | RuntimeException e) {
                finish(c, history, "failed", message(e));
                throw e instanceof SQLException s ? Sql.translate(s, "moving the database from " + from + " to " + to)
                        : (RuntimeException) e;
            }
        } catch (SQLException e) {
            throw Sql.translate(e, "moving the database from " + from + " to " + to);
        }
    }

    /** Signals that the database moved before the step could lock it. */
    private static final class Moved extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Version now;

        Moved(Version now) {
            super(null, null, false, false);
            this.now = now;
        }
    }

    private static List<String> datasetsAbove(Connection tx, Version v) throws SQLException {
        List<String> out = new ArrayList<>();
        Statements.each(tx, "SELECT name, version FROM cairn.datasets", rs -> {
            String text = rs.getString(2);
            Version dv;
            try {
                dv = Version.parse(text);
            } catch (CairnException e) {
                out.add(Texts.quoted(rs.getString(1)) + " (at " + Texts.quoted(text) + ")");
                return;
            }
            if (dv.isAfter(v)) {
                out.add(Texts.quoted(rs.getString(1)) + " (at " + dv + ")");
            }
        });
        return out;
    }

    /**
     * Moves one dataset from the version it was found at to {@code to}.
     *
     * @param lazy whether this is a lazy upgrade on load: then it goes only to the database's
     *             version, and not at all while a migration of the database the other way is
     *             recorded (checked under the database record's lock)
     */
    StepResult dataset(DatasetRecord found, Version to, String command, boolean lazy) {
        long start = System.nanoTime();
        Optional<String> name = Optional.of(found.name());
        Version from = found.version();
        try (Connection c = postgres.connection()) {
            // A lazy upgrade records itself only once it holds the dataset's lock and knows the work is
            // its own, in its transaction: loaders that find it done by another say and record nothing.
            // Killed, it leaves no entry; the dataset stays whole at its old version for the next load.
            long[] history = {lazy ? -1 : History.start(c, found.id(), found.name(), from, to, Actor.current(),
                    model.release().toString(), command)};
            StepResult.Outcome outcome;
            String message = null;
            try {
                String[] why = new String[1];
                outcome = Sql.inTransaction(c, tx -> {
                    // under the record's shared lock, which a database step takes exclusively: the database
                    // cannot move while this step runs, and this step cannot leave the dataset above it
                    DatabaseState db = DatabaseTable.readShared(tx, feedback);
                    if (lazy) {
                        Optional<PendingMigration> against = db.pending().filter(p -> p.target().isBefore(to));
                        if (!db.version().equals(to) || against.isPresent()) {
                            why[0] = against.map(p -> "left as it is: the database is being migrated down ("
                                    + p.describe() + ")").orElse("left as it is: the database is at " + db.version()
                                    + " now");
                            return StepResult.Outcome.SKIPPED;
                        }
                    } else if (to.isAfter(db.version())) {
                        why[0] = "not done: the database is at " + db.version() + " now, and a dataset is never ahead of"
                                + " its database";
                        return StepResult.Outcome.FAILED;
                    }
                    if (lazy && Access.confined(tx)) {
                        // a regular user changes no table: the checked path runs the revisions' SQL
                        String left = Waits.patiently(tx, () -> Access.upgradeDataset(tx, found.id(), from, to),
                                t -> Locks.describeDataset(t, found.id()), feedback, "the dataset "
                                        + Texts.quoted(found.name()));
                        if (left != null) {
                            why[0] = left;
                            return StepResult.Outcome.SKIPPED;
                        }
                        history[0] = History.start(tx, found.id(), found.name(), from, to, Actor.current(),
                                model.release().toString(), command);
                        feedback.notice("upgrading the dataset " + Texts.quoted(found.name()) + " from data model "
                                + from + " to " + to + ", the database's version");
                        History.finish(tx, history[0], "ok", null);
                        return StepResult.Outcome.DONE;
                    }
                    Optional<DatasetRecord> locked = Waits.patiently(tx, () -> DatasetTable.lockForMigration(tx, found.id()),
                            t -> Locks.describeDataset(t, found.id()), feedback, "the dataset " + Texts.quoted(found.name()));
                    if (locked.isEmpty()) {
                        why[0] = "the dataset was deleted meanwhile";
                        return StepResult.Outcome.SKIPPED;
                    }
                    if (!locked.get().version().equals(from)) {
                        why[0] = "another client moved it to " + locked.get().version() + " meanwhile";
                        return locked.get().version().equals(to) ? StepResult.Outcome.SKIPPED : StepResult.Outcome.FAILED;
                    }
                    if (lazy) {
                        history[0] = History.start(tx, found.id(), found.name(), from, to, Actor.current(),
                                model.release().toString(), command);
                        feedback.notice("upgrading the dataset " + Texts.quoted(found.name()) + " from data model "
                                + from + " to " + to + ", the database's version");
                    }
                    SampleTable.lockForMigration(tx, found.id(), found.name());
                    try (java.sql.Statement s = tx.createStatement()) {
                        s.execute("SET LOCAL " + SampleTable.MIGRATING + " = 'on'");
                    }
                    DatasetContext ctx = DatasetContext.dataset(tx, found.id(), named(found.name()));
                    if (to.isAfter(from)) {
                        for (Revision r : model.between(from, to, Revision.Scope.DATASET)) {
                            r.up(ctx);
                        }
                    } else {
                        List<Revision> undo = new ArrayList<>(model.between(to, from, Revision.Scope.DATASET));
                        Collections.reverse(undo);
                        for (Revision r : undo) {
                            r.down(ctx);
                        }
                    }
                    SampleTable.giveToOwner(tx, found.id());
                    DatasetTable.setVersion(tx, found.id(), to, model.oldestAccepting(to, Revision.Scope.DATASET));
                    History.finish(tx, history[0], "ok", null);
                    return StepResult.Outcome.DONE;
                });
                message = why[0];
                if (outcome != StepResult.Outcome.DONE && !lazy) {
                    finish(c, history[0], outcome.text(), message);
                }
            } catch (SQLException | RuntimeException e) {
                if (lazy && history[0] != -1) {
                    // its entry went with the rolled-back transaction: record the failure on its own
                    try {
                        history[0] = History.start(c, found.id(), found.name(), from, to, Actor.current(),
                                model.release().toString(), command);
                    } catch (SQLException lost) {
                        history[0] = -1;
                    }
                }
                if (history[0] != -1) {
                    finish(c, history[0], "failed", message(e));
                }
                throw e instanceof SQLException s ? Sql.translate(s, "migrating the dataset "
                        + Texts.quoted(found.name()) + " from " + from + " to " + to) : (RuntimeException) e;
            }
            return new StepResult(name, from, to, outcome, since(start), message);
        } catch (SQLException e) {
            throw Sql.translate(e, "migrating the dataset " + Texts.quoted(found.name()));
        }
    }

    /** The feedback of one dataset's step: its tasks say which dataset they are about. */
    private Feedback named(String dataset) {
        return new Feedback() {
            @Override
            public Progress start(String task, long total, String unit) {
                return feedback.start("dataset " + Texts.quoted(dataset) + ": " + task, total, unit);
            }

            @Override
            public void notice(String message) {
                feedback.notice(message);
            }
        };
    }

    private static void finish(Connection c, long history, String outcome, String message) {
        try {
            History.finish(c, history, outcome, message);
        } catch (SQLException lost) {
            // the connection is gone: the entry stays "running" and shows as interrupted, which it is
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
