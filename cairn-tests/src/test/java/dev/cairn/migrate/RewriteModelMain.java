package dev.cairn.migrate;

import dev.cairn.Migrations;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.Release;
import dev.cairn.api.Revision;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.model.CairnModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.cairn.testing.Revisions.renameFieldInSchema;


/**
 * Migrates with a test data model whose revisions use the revision helpers:
 * {@code RewriteModelMain VERSION DATASET}, configured by the environment. 0.7.0 renames a field
 * key set-based ({@code updateSamples}); 0.8.0 upper-cases every tag in Java ({@code rewriteSamples}),
 * and its down lower-cases them.
 */
public final class RewriteModelMain {

    private RewriteModelMain() {
    }

    static DataModel model() {
        List<Revision> revisions = new ArrayList<>(CairnModel.shipped().revisions());
        revisions.add(Revision.dataset("0.7.0", "test: the field 'old' is renamed 'new'").compatible(false)
                .up(ctx -> {
                    ctx.updateSamples("fields = (fields - 'old') || jsonb_build_object('new', fields -> 'old')",
                            "fields -> 'old' IS NOT NULL");
                    renameFieldInSchema(ctx, "old", "new");
                })
                .down(ctx -> {
                    ctx.updateSamples("fields = (fields - 'new') || jsonb_build_object('old', fields -> 'new')",
                            "fields -> 'new' IS NOT NULL");
                    renameFieldInSchema(ctx, "new", "old");
                })
                .build());
        revisions.add(Revision.dataset("0.8.0", "test: tags are upper-cased, in Java").compatible(false)
                .up(ctx -> ctx.rewriteSamples(s -> s.withTags(s.tags().stream().map(t -> t.toUpperCase(Locale.ROOT)).toList())))
                .down(ctx -> ctx.rewriteSamples(s -> s.withTags(s.tags().stream().map(t -> t.toLowerCase(Locale.ROOT)).toList())))
                .build());
        List<Release> releases = new ArrayList<>(CairnModel.shipped().releases());
        releases.add(Release.of("0.7.0", "0.7.0"));
        releases.add(Release.of("0.8.0", "0.8.0"));
        return DataModel.of(revisions, releases);
    }

    public static void main(String[] args) {
        try (Migrations m = Migrations.open(CairnConfig.load(), model(), Feedback.NONE)) {
            MigrationResult r = m.migrate(MigrationRequest.all().to(Version.parse(args[0])));
            System.out.println(r.summary());
            System.exit(r.complete() ? 0 : 1);
        }
    }
}
