package dev.cairn.api.migration;

import java.util.List;

/**
 * What {@code cairn migrate} did: every step with its outcome. It succeeded only if every step
 * asked for was done (or had been done already by another client).
 */
public record MigrationResult(MigrationPlan plan, List<StepResult> steps, boolean complete, String summary) {

    public long failures() {
        return steps.stream().filter(s -> s.outcome() == StepResult.Outcome.FAILED).count();
    }
}
