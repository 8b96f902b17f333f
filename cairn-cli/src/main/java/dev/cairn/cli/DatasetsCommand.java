package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.Cairn;
import dev.cairn.NativeJson;
import dev.cairn.api.AccessLevel;
import dev.cairn.api.Dataset;
import dev.cairn.api.DatasetAccess;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.Field;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.Texts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code cairn datasets ...}: the datasets of the database. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "List, inspect, create, rename, clone and delete datasets; say who may use them.",
        footer = ExitCodes.FOOTER,
        subcommands = {DatasetsCommand.ListCommand.class, DatasetsCommand.InfoCommand.class,
                DatasetsCommand.CreateCommand.class, DatasetsCommand.RenameCommand.class,
                DatasetsCommand.CloneCommand.class, DatasetsCommand.DeleteCommand.class,
                DatasetsCommand.AccessCommand.class, DatasetsCommand.GrantCommand.class,
                DatasetsCommand.RevokeCommand.class})
final class DatasetsCommand implements Runnable {

    @ParentCommand
    CairnCommand parent;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(parent.context.out);
    }

    Context context() {
        return parent.context;
    }

    /**
     * A subcommand that works through one Cairn, opened for it and closed after; {@link #check()}
     * refuses bad arguments before anything is opened.
     */
    abstract static class WithCairn implements Callable<Integer> {
        @ParentCommand
        DatasetsCommand parent;

        /** Whether it prints JSON for scripts, which keeps progress off the terminal. */
        boolean json() {
            return false;
        }

        void check() {
        }

        abstract int run(Context ctx, Cairn cairn) throws Exception;

        @Override
        public final Integer call() throws Exception {
            check();
            Context ctx = parent.context();
            try (Cairn cairn = ctx.open(json())) {
                return run(ctx, cairn);
            }
        }
    }

    /** A subcommand that shows something, as text or with --json as JSON. */
    abstract static class WithCairnJson extends WithCairn {
        @Mixin
        JsonOption json;

        @Override
        boolean json() {
            return json.on;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every dataset with its sample count and data model version.")
    static final class ListCommand extends WithCairnJson {
        @Override
        int run(Context ctx, Cairn cairn) {
            var all = cairn.datasets();
            if (json()) {
                ArrayNode a = JsonOut.array();
                for (DatasetInfo d : all) {
                    a.addObject().put("name", d.name()).put("samples", d.sampleCount())
                            .put("version", d.version().toString()).put("created_at", d.createdAt().toString())
                            .put("last_loaded_at", d.lastLoaded().map(Object::toString).orElse(null));
                }
                JsonOut.print(ctx.out, a);
                return ExitCodes.OK;
            }
            if (all.isEmpty()) {
                ctx.out.println("No datasets yet in the " + cairn.database() + ". Create one with 'cairn datasets create NAME'"
                        + " or 'cairn import FILE'.");
                return ExitCodes.OK;
            }
            Table t = new Table("NAME", "SAMPLES", "VERSION", "CREATED", "LAST LOADED");
            for (DatasetInfo d : all) {
                t.row(d.name(), d.sampleCount(), d.version(), Times.text(d.createdAt()),
                        d.lastLoaded().map(Times::text).orElse("never"));
            }
            t.print(ctx.out);
            return ExitCodes.OK;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show one dataset: its version, samples, tags, classes, info and field schema.")
    static final class InfoCommand extends WithCairnJson {
        @Parameters(paramLabel = "NAME", description = "The dataset.")
        String name;

        @Override
        int run(Context ctx, Cairn cairn) {
            Dataset d = cairn.dataset(name);
            DatasetInfo info = d.info();
            if (json()) {
                ObjectNode o = JsonOut.object();
                o.put("name", info.name()).put("version", info.version().toString()).put("samples", info.sampleCount())
                        .put("created_at", info.createdAt().toString())
                        .put("last_loaded_at", info.lastLoaded().map(Object::toString).orElse(null));
                o.set("info", NativeJson.info(info.info()));
                ArrayNode tags = o.putArray("tags");
                info.tags().forEach(tags::add);
                ArrayNode classes = o.putArray("classes");
                info.classes().forEach(classes::add);
                o.set("fields", NativeJson.schema(info.fields()));
                JsonOut.print(ctx.out, o);
                return ExitCodes.OK;
            }
            ctx.out.println("Name:         " + Texts.printable(info.name()));
            ctx.out.println("Data model:   " + info.version());
            ctx.out.println("Samples:      " + info.sampleCount());
            ctx.out.println("Created:      " + Times.text(info.createdAt()));
            ctx.out.println("Last loaded:  " + info.lastLoaded().map(Times::text).orElse("never"));
            ctx.out.println("Tags:         " + (info.tags().isEmpty() ? "-" : String.join(", ", info.tags())));
            ctx.out.println("Classes:      " + (info.classes().isEmpty() ? "-" : String.join(", ", info.classes())));
            ctx.out.println("Info:         " + (info.info().isEmpty() ? "-"
                    : NativeJson.write(NativeJson.info(info.info()), false)));
            if (info.fields().isEmpty()) {
                ctx.out.println("Fields:       none");
            } else {
                ctx.out.println("Fields:");
                Table t = new Table("  NAME", "TYPE");
                for (Field f : info.fields()) {
                    t.row("  " + f.name(), f.type());
                }
                t.print(ctx.out);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an empty dataset.")
    static final class CreateCommand extends WithCairn {
        @Parameters(paramLabel = "NAME", description = "Its name: any text of 1 to 200 characters without control characters.")
        String name;

        @Override
        int run(Context ctx, Cairn cairn) {
            Dataset d = cairn.create(name);
            ctx.out.println("Created dataset " + Texts.quoted(d.name()) + " at data model " + cairn.workingVersion() + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename a dataset.")
    static final class RenameCommand extends WithCairn {
        @Parameters(index = "0", paramLabel = "NAME")
        String from;

        @Parameters(index = "1", paramLabel = "NEW_NAME")
        String to;

        @Override
        int run(Context ctx, Cairn cairn) {
            cairn.rename(from, to);
            ctx.out.println("Renamed dataset " + Texts.quoted(from) + " to " + Texts.quoted(to) + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "clone", mixinStandardHelpOptions = true, description = "Copy a dataset, samples and all, under a new name.")
    static final class CloneCommand extends WithCairn {
        @Parameters(index = "0", paramLabel = "NAME")
        String from;

        @Parameters(index = "1", paramLabel = "NEW_NAME")
        String to;

        @Override
        int run(Context ctx, Cairn cairn) {
            Dataset d = cairn.clone(from, to);
            ctx.out.println("Cloned dataset " + Texts.quoted(from) + " to " + Texts.quoted(to) + " (" + d.count()
                    + " samples).");
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a dataset and all its samples.",
            "Asks first on a terminal; elsewhere give --yes."})
    static final class DeleteCommand extends WithCairn {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Delete without asking.")
        boolean yes;

        @Override
        int run(Context ctx, Cairn cairn) throws Exception {
            if (!cairn.exists(name)) {
                throw new NotFoundException("there is no dataset named " + Texts.quoted(name)
                        + "; 'cairn datasets list' shows the datasets");
            }
            if (!yes) {
                if (System.console() == null) {
                    throw new InvalidInputException("deleting a dataset cannot be undone; give --yes to delete "
                            + Texts.quoted(name) + " without being asked");
                }
                ctx.err.print("Delete dataset " + Texts.quoted(name) + " and all its samples? This cannot be undone. [y/N] ");
                ctx.err.flush();
                String answer = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
                if (answer == null || !answer.strip().equalsIgnoreCase("y") && !answer.strip().equalsIgnoreCase("yes")) {
                    ctx.out.println("Nothing was deleted.");
                    return ExitCodes.OK;
                }
            }
            if (!cairn.delete(name)) {
                throw new NotFoundException("there is no dataset named " + Texts.quoted(name));
            }
            ctx.out.println("Deleted dataset " + Texts.quoted(name) + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "access", mixinStandardHelpOptions = true, description = {
            "Show who may use a dataset: its owner, the level every regular user has, and the users granted more.",
            "Levels: none, view, edit (samples and schema), manage (rename, delete, grant). Admins manage every dataset."})
    static final class AccessCommand extends WithCairnJson {
        @Parameters(paramLabel = "NAME", description = "The dataset.")
        String name;

        @Override
        int run(Context ctx, Cairn cairn) {
            DatasetAccess a = cairn.access(name);
            if (json()) {
                ObjectNode o = JsonOut.object();
                o.put("dataset", a.dataset()).put("owner", a.owner().orElse(null))
                        .put("default", a.defaultLevel().text()).put("yours", a.yours().text());
                ObjectNode users = o.putObject("users");
                new java.util.TreeMap<>(a.users()).forEach((user, level) -> users.put(user, level.text()));
                JsonOut.print(ctx.out, o);
                return ExitCodes.OK;
            }
            ctx.out.println("Dataset:   " + Texts.printable(a.dataset()));
            ctx.out.println("Owner:     " + a.owner().map(Texts::printable).orElse("none (made before access control)"));
            ctx.out.println("Default:   " + a.defaultLevel().text() + " (every regular user)");
            ctx.out.println("Yours:     " + a.yours().text());
            if (a.users().isEmpty()) {
                ctx.out.println("Granted:   nobody");
            } else {
                Table t = new Table("USER", "LEVEL");
                new java.util.TreeMap<>(a.users()).forEach((user, level) -> t.row(user, level.text()));
                t.print(ctx.out);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = {
            "Give a user a level of access to a dataset (needs manage access to it), or with --default set the level",
            "every regular user has. Levels: none, view, edit, manage."})
    static final class GrantCommand extends WithCairn {
        @Parameters(index = "0", paramLabel = "NAME", description = "The dataset.")
        String name;

        @Parameters(index = "1..2", arity = "1..2", paramLabel = "USER LEVEL",
                description = "The database user and the level; with --default, the level alone.")
        java.util.List<String> rest;

        @Option(names = "--default", description = "Set the dataset's default level for every regular user.")
        boolean asDefault;

        private AccessLevel level;

        @Override
        void check() {
            if (asDefault != (rest.size() == 1)) {
                throw new InvalidInputException(asDefault ? "with --default, give the level alone: cairn datasets grant"
                        + " NAME --default LEVEL" : "give a user and a level: cairn datasets grant NAME USER LEVEL");
            }
            level = AccessLevel.parse(rest.get(rest.size() - 1));
        }

        @Override
        int run(Context ctx, Cairn cairn) {
            if (asDefault) {
                cairn.setDefaultAccess(name, level);
                ctx.out.println("Every regular user may now " + describe(level) + " " + Texts.quoted(name)
                        + " unless granted more.");
            } else {
                cairn.grant(name, rest.get(0), level);
                ctx.out.println(Texts.quoted(rest.get(0)) + " may now " + describe(level) + " "
                        + Texts.quoted(name) + ".");
            }
            return ExitCodes.OK;
        }

        private static String describe(AccessLevel level) {
            return switch (level) {
                case NONE -> "not use (beyond the default level)";
                case VIEW -> "view";
                case EDIT -> "view and edit";
                case MANAGE -> "view, edit and manage";
            };
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = {
            "Take away what a user was granted on a dataset (needs manage access to it); the dataset's default",
            "level still applies to them."})
    static final class RevokeCommand extends WithCairn {
        @Parameters(index = "0", paramLabel = "NAME", description = "The dataset.")
        String name;

        @Parameters(index = "1", paramLabel = "USER", description = "The database user.")
        String user;

        @Override
        int run(Context ctx, Cairn cairn) {
            cairn.revoke(name, user);
            ctx.out.println(Texts.quoted(user) + " has no access of their own to " + Texts.quoted(name)
                    + " any more (the default level still applies).");
            return ExitCodes.OK;
        }
    }
}
