package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.Cairn;
import dev.cairn.Migrations;
import dev.cairn.api.DataModel;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Texts;
import dev.cairn.api.Version;
import dev.cairn.api.migration.DatabaseState;
import dev.cairn.api.migration.DatasetStatus;
import dev.cairn.api.migration.HistoryEntry;
import dev.cairn.api.migration.MigrationInfo;
import dev.cairn.api.migration.MigrationPlan;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.api.migration.MigrationResult;
import dev.cairn.api.migration.Policy;
import dev.cairn.api.migration.StepResult;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code cairn migrate}: the database's and the datasets' data model versions. */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show or move the data model version of the database and its datasets.",
                "",
                "  cairn migrate --info             versions of this client, the database and every dataset",
                "  cairn migrate --plan [...]       what a migration would do, step by step",
                "  cairn migrate --history          what was migrated, when, by whom, how long it took",
                "  cairn migrate                    the database, to this client's version (datasets follow",
                "                                   when next loaded)",
                "  cairn migrate --all              the database and every dataset",
                "  cairn migrate -n A B             only the named datasets",
                "  ... -v 0.3.0 | --release 0.1.0   to that version, up or down (down runs each revision's",
                "                                   down, newest first)",
                "  cairn migrate --policy manual    who moves the database's version: auto or manual",
                "",
                "Moving versions needs admin (CAIRN_DATABASE_ADMIN=true); --info, --plan and --history",
                "never change anything. A step that fails leaves its target as it was; running the same",
                "command again finishes an interrupted migration. Exit status is 0 only when all that",
                "was asked was done."},
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

        @Option(names = "--plan", description = "Show what the migration would do, for the database and each dataset."
                + " Changes nothing.")
        boolean plan;

        @Option(names = "--policy", paramLabel = "auto|manual", description = "Set who moves the database's version:"
                + " auto (a newer admin client upgrades it when it connects) or manual (only 'cairn migrate'). Admin only.")
        Policy policy;
    }

    @ArgGroup(exclusive = true)
    Selection selection = new Selection();

    static final class Selection {
        @Option(names = "--all", description = "The database and every dataset.")
        boolean all;

        @Option(names = {"-n", "--datasets"}, arity = "1..*", paramLabel = "NAME", description = "Only these datasets.")
        java.util.List<String> names;
    }

    @ArgGroup(exclusive = true)
    Destination destination = new Destination();

    static final class Destination {
        @Option(names = {"-v", "--to"}, paramLabel = "VERSION", description = "The destination data model version.")
        String version;

        @Option(names = "--release", paramLabel = "RELEASE", description = "The destination: that release's data model"
                + " version ('cairn releases' lists them).")
        String release;
    }

    @Option(names = "--error-level", paramLabel = "0|1|2", defaultValue = "0", description = "When a dataset fails:"
            + " 0 stop (default), 1 warn and go on, 2 go on silently. The exit status is 1 either way.")
    int errorLevel;

    @Option(names = "--workers", paramLabel = "N", description = "How many datasets migrate side by side (default: the"
            + " processors, from 2 to 4; here " + "${sys:cairn.default.workers}" + ").")
    Integer workers;

    static {
        System.setProperty("cairn.default.workers", Integer.toString(MigrationRequest.defaultWorkers()));
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
            if (mode.info) {
                return info(ctx, m.info());
            }
            if (mode.policy != null) {
                DatabaseState s = m.setPolicy(mode.policy);
                ctx.out.println("The database's policy is " + s.policy().text() + ".");
                return ExitCodes.OK;
            }
            MigrationRequest request = request();
            if (mode.plan) {
                return plan(ctx, m.plan(request));
            }
            String command = CommandLines.of(request);
            return migrate(ctx, m.migrate(request, command), command);
        }
    }

    /** A malformed version is bad input as an unknown one is, and is told the same: which there are. */
    private Version parse(String text, String what) {
        try {
            return Version.parse(text, what);
        } catch (InvalidInputException e) {
            DataModel model = Cairn.dataModel(parent.context.config());
            throw new InvalidInputException(e.getMessage() + "; the data model versions are "
                    + model.versions().stream().map(Version::toString).collect(Collectors.joining(", "))
                    + " and the releases " + model.releases().stream().map(x -> x.release().toString())
                    .collect(Collectors.joining(", ")) + " ('cairn releases' maps one to the other)");
        }
    }

    private MigrationRequest request() {
        MigrationRequest.Scope scope = selection.all ? MigrationRequest.Scope.ALL
                : selection.names != null ? MigrationRequest.Scope.NAMED : MigrationRequest.Scope.DATABASE;
        Version v = destination.version == null ? null : parse(destination.version, "data model version");
        Version r = destination.release == null ? null : parse(destination.release, "release");
        return new MigrationRequest(scope, selection.names, v, r, errorLevel,
                workers == null ? MigrationRequest.defaultWorkers() : workers);
    }

    private int plan(Context ctx, MigrationPlan plan) {
        if (json) {
            JsonOut.print(ctx.out, planJson(plan));
            return ExitCodes.OK;
        }
        ctx.out.println("Plan for the " + plan.database() + ": " + plan.from().map(Object::toString).orElse("no Cairn database")
                + " -> " + plan.target());
        if (plan.isEmpty()) {
            ctx.out.println("  nothing to do");
        }
        int i = 1;
        for (MigrationPlan.Step s : plan.steps()) {
            ctx.out.println(String.format("  %d. %s %s -> %s", i++, Texts.printable(s.target()),
                    s.from() == null ? "none" : s.from(), s.to()));
            for (String r : s.revisions()) {
                ctx.out.println("       " + r);
            }
        }
        for (String n : plan.notes()) {
            ctx.out.println("Note: " + n);
        }
        ctx.out.println("Nothing was changed.");
        return ExitCodes.OK;
    }

    private static ObjectNode planJson(MigrationPlan plan) {
        ObjectNode o = JsonOut.object();
        o.put("database", plan.database());
        o.put("from", plan.from().map(Object::toString).orElse(null));
        o.put("target", plan.target().toString());
        ArrayNode steps = o.putArray("steps");
        for (MigrationPlan.Step s : plan.steps()) {
            ObjectNode j = steps.addObject();
            j.put("dataset", s.dataset().orElse(null));
            j.put("from", s.from() == null ? null : s.from().toString());
            j.put("to", s.to().toString());
            ArrayNode revs = j.putArray("revisions");
            s.revisions().forEach(revs::add);
        }
        ArrayNode notes = o.putArray("notes");
        plan.notes().forEach(notes::add);
        return o;
    }

    /** What an unfinished migration says ends with "run the same migration again": here, the command that does. */
    private static String summary(MigrationResult result, String command) {
        return result.complete() ? result.summary() : result.summary() + ": " + command;
    }

    private int migrate(Context ctx, MigrationResult result, String command) {
        if (json) {
            ObjectNode o = JsonOut.object();
            o.set("plan", planJson(result.plan()));
            ArrayNode steps = o.putArray("steps");
            for (StepResult s : result.steps()) {
                steps.addObject().put("dataset", s.dataset().orElse(null))
                        .put("from", s.from() == null ? null : s.from().toString()).put("to", s.to().toString())
                        .put("outcome", s.outcome().text()).put("seconds", s.took().toMillis() / 1000.0)
                        .put("message", s.message());
            }
            o.put("complete", result.complete());
            o.put("summary", summary(result, command));
            JsonOut.print(ctx.out, o);
            return result.complete() ? ExitCodes.OK : ExitCodes.FAILED;
        }
        for (String n : result.plan().notes()) {
            ctx.out.println("Note: " + n);
        }
        Table t = new Table("STEP", "FROM", "TO", "OUTCOME", "TOOK", "");
        for (StepResult s : result.steps()) {
            t.row(s.target(), s.from() == null ? "none" : s.from(), s.to(), s.outcome().text(),
                    CliFeedback.seconds(s.took()), s.message() == null ? "" : s.message());
        }
        if (!t.isEmpty()) {
            t.print(ctx.out);
        }
        if (ctx.verbose()) {
            for (MigrationPlan.Step s : result.plan().steps()) {
                ctx.out.println(Texts.printable(s.target()) + ": " + String.join("; ", s.revisions()));
            }
        }
        (result.complete() ? ctx.out : ctx.err).println(summary(result, command));
        return result.complete() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /**
     * Whether a command line is {@code cairn migrate --info}, with {@code --json} or without (then
     * the answer is whether it asks for JSON), and nothing else; else null.
     */
    static Boolean infoOnly(String[] args) {
        if (args.length < 2 || args.length > 3 || !args[0].equals("migrate")) {
            return null;
        }
        java.util.Set<String> options = new java.util.HashSet<>(java.util.Arrays.asList(args).subList(1, args.length));
        if (options.size() != args.length - 1 || !options.contains("--info")) {
            return null;
        }
        options.remove("--info");
        options.remove("--json");
        return options.isEmpty() ? args.length == 3 : null;
    }

    /** {@code cairn migrate --info [--json]} as {@link #call()} runs it, for Main's way around picocli. */
    static int info(Context ctx, boolean json) {
        MigrateCommand command = new MigrateCommand();
        command.json = json;
        try (Migrations m = ctx.migrations(json)) {
            return command.info(ctx, m.info());
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
            o.put("damaged", info.damaged());
            JsonOut.print(ctx.out, o);
            return damaged(ctx, info);
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
                ctx.out.println("  " + h.target() + " " + h.from() + " -> " + h.to() + " by " + h.who() + " at "
                        + Times.text(h.startedAt()) + " (" + h.command() + ")");
            }
        }
        return damaged(ctx, info);
    }

    /** The exit status of --info: the versions are shown either way, and a damaged database is said so. */
    private static int damaged(Context ctx, MigrationInfo info) {
        if (!info.damaged()) {
            return ExitCodes.OK;
        }
        ctx.err.println("cairn: damaged database: " + info.verdict().replaceFirst("^damaged: ", ""));
        return ExitCodes.DAMAGED;
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
                    h.durationMillis() == null ? "-" : String.format("%.2f s", h.durationMillis() / 1000.0),
                    h.who(), h.release(), h.command());
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
        // by: the database user, as the database recorded it; client: what the client said of itself
        o.put("by", h.who());
        o.put("database_user", h.databaseUser());
        o.put("client", h.by());
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
