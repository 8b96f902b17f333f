package dev.cairn.api.migration;

import dev.cairn.api.Version;

import java.util.List;
import java.util.Optional;

/**
 * What a migration would do, step by step, computed from the database as it is and changing
 * nothing: {@code cairn migrate --plan}.
 *
 * @param database  which database
 * @param from      the database's version now (empty if there is no Cairn database yet)
 * @param target    the destination version
 * @param steps     the steps in the order they run
 * @param notes     what the admin should know (datasets brought down with the database, saved
 *                  data a down revision drops, an interrupted migration this one finishes)
 */
public record MigrationPlan(String database, Optional<Version> from, Version target, List<Step> steps,
                            List<String> notes) {

    /**
     * One step: the database or one dataset, from and to a version, through these revisions
     * (newest first when going down).
     */
    public record Step(Optional<String> dataset, Version from, Version to, List<String> revisions) {

        public boolean down() {
            return to.isBefore(from);
        }

        public String target() {
            return dataset.map(d -> "dataset " + dev.cairn.api.Texts.quoted(d)).orElse("database");
        }
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }
}
