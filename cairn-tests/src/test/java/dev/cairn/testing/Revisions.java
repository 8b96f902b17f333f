package dev.cairn.testing;

import dev.cairn.api.RevisionContext;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Steps that the tests' own revisions share. */
public final class Revisions {

    private Revisions() {
    }

    /** Renames the field {@code from} to {@code to} in the schema of the dataset being migrated. */
    public static void renameFieldInSchema(RevisionContext ctx, String from, String to) throws SQLException {
        try (PreparedStatement ps = ctx.connection().prepareStatement("UPDATE cairn.datasets SET fields ="
                + " (SELECT coalesce(jsonb_agg(CASE WHEN f ->> 'name' = ? THEN jsonb_set(f, '{name}', to_jsonb(?::text))"
                + " ELSE f END ORDER BY o), '[]') FROM jsonb_array_elements(fields) WITH ORDINALITY AS e(f, o)) WHERE id = ?")) {
            ps.setString(1, from);
            ps.setString(2, to);
            ps.setLong(3, ctx.datasetId());
            ps.executeUpdate();
        }
    }
}
