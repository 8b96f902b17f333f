package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.Migrations;
import dev.cairn.migrate.DatabaseState;
import dev.cairn.migrate.DatasetStatus;
import dev.cairn.migrate.HistoryEntry;
import dev.cairn.migrate.MigrationInfo;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cairn migrate}: the database's and the datasets' data model versions. */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show or move the data model version of the database and its datasets.",
                "",
                "  cairn migrate --info        versions of this client, the database and every dataset",
                "  cairn migrate --history     what was migrated, when, by whom, how long it took"},
        footer = ExitCodes.FOOTER)
final class MigrateCommand implements Callable<Integer> {

    @ParentCommand
    CairnCommand parent;

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    static final class Mode {
        @Option(names = "--info", description = "Show the versions: this client's release and data model, the database's"
                + " version and policy, and every dataset's version. Changes nothing.")
        boolean info;

        @Option(names = "--history", description = "Show the migrations that ran: what, from and to which version, by"
                + " whom, when, how long. Changes nothing.")
        boolean history;
    }

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "With --history: at most N entries (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print JSON for scripts (with --info, --plan, --history).")
    boolean json;

    @Override
    public Integer call() {
        Context ctx = parent.context;
        try (Migrations m = ctx.migrations(json)) {
            if (mode.history) {
                return history(ctx, m);
            }
            return info(ctx, m.info());
        }
    }

    private int info(Context ctx, MigrationInfo info) {
        if (json) {
            ObjectNode o = JsonOut.object();
            o.put("release", info.release().toString());
            o.put("data_model", info.dataModel().toString());
            o.put("works_as_is_from", info.worksAsIsFrom().toString());
            o.put("database", info.database());
            if (info.state().isPresent()) {
                DatabaseState s = info.state().get();
                ObjectNode d = o.putObject("database_state");
                d.put("version", s.version().toString()).put("min_client_version", s.minClientVersion().toString())
                        .put("written_by_release", s.writtenByRelease()).put("policy", s.policy().text())
                        .put("pinned", s.pinned()).put("updated_at", s.updatedAt().toString());
                s.pending().ifPresent(p -> d.putObject("migration").put("target", p.target().toString())
                        .put("release", p.release()).put("by", p.by()).put("since", String.valueOf(p.since()))
                        .put("state", p.live() ? "under way" : "interrupted"));
            } else {
                o.putNull("database_state");
            }
            o.put("working_version", info.working().map(Object::toString).orElse(null));
            o.put("verdict", info.verdict());
            ArrayNode ds = o.putArray("datasets");
            for (DatasetStatus d : info.datasets()) {
                ds.addObject().put("name", d.name()).put("version", d.version().toString()).put("samples", d.samples())
                        .put("status", d.status());
            }
            ArrayNode interrupted = o.putArray("interrupted");
            info.interrupted().forEach(h -> interrupted.add(historyJson(h)));
            JsonOut.print(ctx.out, o);
            return ExitCodes.OK;
        }
        ctx.out.println("Cairn release     " + info.release());
        ctx.out.println("Data model        " + info.dataModel() + " (works as it is with databases from "
                + info.worksAsIsFrom() + " up, and with newer ones that accept it)");
        ctx.out.println("Database          " + info.database());
        if (info.state().isEmpty()) {
            ctx.out.println("Database version  none: " + info.verdict());
            return ExitCodes.OK;
        }
        DatabaseState s = info.state().get();
        ctx.out.println("Database version  " + s.version() + " (accepts clients of " + s.minClientVersion()
                + " or newer; written by release " + s.writtenByRelease() + ")");
        ctx.out.println("Policy            " + s.policy().text() + (s.pinned() ? ", pinned by an explicit downgrade" : ""));
        s.pending().ifPresent(p -> ctx.out.println("Migration         " + p.describe()
                + (p.live() ? "" : "; run the same command again to finish it")));
        ctx.out.println("This client       " + info.verdict());
        ctx.out.println();
        if (info.datasets().isEmpty()) {
            ctx.out.println("No datasets.");
        } else {
            Table t = new Table("DATASET", "VERSION", "SAMPLES", "STATUS");
            for (DatasetStatus d : info.datasets()) {
                t.row(d.name(), d.version(), d.samples(), d.status());
            }
            t.print(ctx.out);
        }
        if (!info.interrupted().isEmpty()) {
            ctx.out.println();
            ctx.out.println("Interrupted migrations (nothing of them was kept; run the command again to finish):");
            for (HistoryEntry h : info.interrupted()) {
                ctx.out.println("  " + h.target() + " " + h.from() + " -> " + h.to() + " by " + h.by() + " at "
                        + Times.text(h.startedAt()) + " (" + h.command() + ")");
            }
        }
        return ExitCodes.OK;
    }

    private int history(Context ctx, Migrations m) {
        var entries = m.history(limit, null);
        if (json) {
            ArrayNode a = JsonOut.array();
            entries.forEach(h -> a.add(historyJson(h)));
            JsonOut.print(ctx.out, a);
            return ExitCodes.OK;
        }
        if (entries.isEmpty()) {
            ctx.out.println("No migrations yet.");
            return ExitCodes.OK;
        }
        Table t = new Table("WHEN", "WHAT", "FROM", "TO", "OUTCOME", "TOOK", "BY", "RELEASE", "COMMAND");
        for (HistoryEntry h : entries) {
            t.row(Times.text(h.startedAt()), h.target(), h.from() == null ? "-" : h.from(), h.to(), h.outcome(),
                    h.durationMillis() == null ? "-" : String.format("%.2f s", h.durationMillis() / 1000.0), h.by(),
                    h.release(), h.command());
        }
        t.print(ctx.out);
        return ExitCodes.OK;
    }

    static ObjectNode historyJson(HistoryEntry h) {
        ObjectNode o = JsonOut.object();
        o.put("id", h.id());
        o.put("dataset", h.dataset().orElse(null));
        o.put("from", h.from());
        o.put("to", h.to());
        o.put("by", h.by());
        o.put("database_user", h.databaseUser());
        o.put("release", h.release());
        o.put("command", h.command());
        o.put("started_at", h.startedAt().toString());
        o.put("finished_at", h.finishedAt() == null ? null : h.finishedAt().toString());
        if (h.durationMillis() == null) {
            o.putNull("duration_ms");
        } else {
            o.put("duration_ms", h.durationMillis());
        }
        o.put("outcome", h.outcome());
        o.put("message", h.message());
        return o;
    }
}
