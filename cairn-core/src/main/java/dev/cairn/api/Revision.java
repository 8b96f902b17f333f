package dev.cairn.api;

import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * One change of the data model: its version, a one-line description, its scope, how to apply it
 * ({@code up}) and how to undo it ({@code down}), or why it cannot be undone.
 *
 * <p>A revision is <em>compatible</em> when clients on either side of it read and write data on
 * the other side correctly: an older client ignores what it does not know, a newer client writes
 * nothing the older one would misread, and {@code up} tolerates data that newer clients already
 * wrote. An added optional field can be compatible; a renamed field is not.
 *
 * <p>{@code up} and {@code down} run inside the transaction that also records the new version,
 * so content and version change together or not at all.
 */
public final class Revision {

    /** What a revision changes: the database as a whole, or each dataset's own content. */
    public enum Scope {
        DATABASE, DATASET;

        public String text() {
            return this == DATABASE ? "database" : "dataset";
        }
    }

    /** SQL work of a revision, run on the migrating transaction's connection. */
    @FunctionalInterface
    public interface Step {
        void run(RevisionContext context) throws SQLException;
    }

    private final Version version;
    private final String description;
    private final Scope scope;
    private final boolean compatible;
    private final Step up;
    private final Step down;
    private final String irreversibleReason;
    private final String downNote;
    private final java.util.List<String> upSql;

    private Revision(Builder b) {
        this.version = b.version;
        this.description = b.description;
        this.scope = b.scope;
        this.compatible = b.compatible;
        this.up = b.up;
        this.down = b.down;
        this.irreversibleReason = b.irreversibleReason;
        this.downNote = b.downNote;
        this.upSql = b.upSql;
    }

    /** Starts a revision of the database as a whole. */
    public static Builder database(String version, String description) {
        return new Builder(Version.parse(version), description, Scope.DATABASE);
    }

    /** Starts a revision of each dataset's content. */
    public static Builder dataset(String version, String description) {
        return new Builder(Version.parse(version), description, Scope.DATASET);
    }

    public Version version() {
        return version;
    }

    public String description() {
        return description;
    }

    public Scope scope() {
        return scope;
    }

    public boolean compatible() {
        return compatible;
    }

    public boolean reversible() {
        return irreversibleReason == null;
    }

    /** Why the revision cannot go down, if it cannot. */
    public Optional<String> irreversibleReason() {
        return Optional.ofNullable(irreversibleReason);
    }

    /** What going down through this revision loses, for the admin to read in the plan. */
    public Optional<String> downNote() {
        return Optional.ofNullable(downNote);
    }

    /**
     * The revision's {@code up} as SQL statements that the database runs by itself, for users who
     * may not change tables (a regular user's lazy upgrade on a shared database); in them
     * {@code {table}} stands for the dataset's sample table and {@code {dataset}} for its id. Empty
     * when the revision has none: then only an admin's client applies it.
     */
    public Optional<java.util.List<String>> upSql() {
        return Optional.ofNullable(upSql);
    }

    public void up(RevisionContext context) throws SQLException {
        up.run(context);
    }

    /** Undoes the revision; only for reversible revisions (see {@link #reversible()}). */
    public void down(RevisionContext context) throws SQLException {
        if (down == null) {
            throw new IllegalStateException("revision " + version + " cannot go down: " + irreversibleReason);
        }
        down.run(context);
    }

    @Override
    public String toString() {
        return version + " (" + scope.text() + "): " + description;
    }

    /** Builds a revision; {@code up} and one of {@code down} or {@code irreversible} are required. */
    public static final class Builder {
        private final Version version;
        private final String description;
        private final Scope scope;
        private boolean compatible;
        private boolean compatibleSet;
        private Step up;
        private Step down;
        private String irreversibleReason;
        private String downNote;
        private java.util.List<String> upSql;

        private Builder(Version version, String description, Scope scope) {
            if (description == null || description.isBlank() || description.contains("\n")) {
                throw new IllegalArgumentException("a revision needs a one-line description");
            }
            this.version = version;
            this.description = description;
            this.scope = scope;
        }

        /** Declares whether clients on either side of this revision can share the data. */
        public Builder compatible(boolean compatible) {
            if (compatibleSet) {
                throw new IllegalStateException("compatible is set already for revision " + version);
            }
            this.compatible = compatible;
            this.compatibleSet = true;
            return this;
        }

        public Builder up(Step up) {
            if (this.up != null) {
                throw new IllegalStateException("up is set already for revision " + version);
            }
            this.up = Objects.requireNonNull(up);
            return this;
        }

        public Builder down(Step down) {
            if (this.down != null || irreversibleReason != null) {
                throw new IllegalStateException("down is set already for revision " + version);
            }
            this.down = Objects.requireNonNull(down);
            return this;
        }

        /** Declares that the revision cannot go down, and why, for the message that refuses it. */
        public Builder irreversible(String reason) {
            if (this.down != null || irreversibleReason != null) {
                throw new IllegalStateException("down is set already for revision " + version);
            }
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("an irreversible revision must say why it cannot go down");
            }
            this.irreversibleReason = reason;
            return this;
        }

        /**
         * Gives the revision's {@code up} as SQL that the database can run by itself (see
         * {@link Revision#upSql()}); it must do exactly what {@code up} does. Dataset revisions only.
         */
        public Builder upSql(java.util.List<String> statements) {
            if (scope != Scope.DATASET) {
                throw new IllegalStateException("only a dataset revision has an up in SQL: " + version);
            }
            if (statements == null || statements.isEmpty()) {
                throw new IllegalArgumentException("an up in SQL needs at least one statement: " + version);
            }
            this.upSql = java.util.List.copyOf(statements);
            return this;
        }

        /** Says what going down through this revision loses (shown by {@code cairn migrate --plan}). */
        public Builder downNote(String note) {
            this.downNote = note;
            return this;
        }

        public Revision build() {
            if (!compatibleSet) {
                throw new IllegalStateException("revision " + version + " must say whether it is compatible");
            }
            if (up == null) {
                throw new IllegalStateException("revision " + version + " has no up");
            }
            if (down == null && irreversibleReason == null) {
                throw new IllegalStateException("revision " + version + " needs a down or a reason it has none");
            }
            return new Revision(this);
        }
    }
}
