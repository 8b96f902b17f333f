package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.LocalServer;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.LocalServerStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cairn db status|start|stop}: the local PostgreSQL server. */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = {"The local PostgreSQL server that Cairn runs (its data under CAIRN_HOME/server).",
                "It starts by itself when a command needs it, and keeps running for the next ones;",
                "'cairn db stop' stops it."},
        footer = ExitCodes.FOOTER,
        subcommands = {DbCommand.Status.class, DbCommand.Start.class, DbCommand.Stop.class})
final class DbCommand implements Runnable {

    @ParentCommand
    CairnCommand parent;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(parent.context.out);
    }

    static LocalServer local(Context ctx, String what) {
        CairnConfig config = ctx.config();
        if (!config.isLocal()) {
            throw new InvalidInputException("'cairn db " + what + "' manages the local server, and this configuration"
                    + " uses the shared database " + config.databaseUri().orElseThrow() + " (CAIRN_DATABASE_URI)");
        }
        return LocalServer.of(config);
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Whether the local server runs, where, and since when.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        DbCommand parent;

        @Mixin
        JsonOption json;

        @Override
        public Integer call() {
            Context ctx = parent.parent.context;
            LocalServerStatus s = local(ctx, "status").status();
            if (json.on) {
                ObjectNode o = JsonOut.object();
                o.put("running", s.running()).put("state", s.state().name().toLowerCase(java.util.Locale.ROOT))
                        .put("initialised", s.initialised())
                        .put("data_directory", s.dataDirectory().toString()).put("log", s.log().toString());
                if (s.pid() != null) {
                    o.put("pid", s.pid());
                }
                if (s.port() != null) {
                    o.put("port", s.port()).put("started_at", s.startedAt().toString());
                }
                o.put("postgresql", s.postgresVersion());
                JsonOut.print(ctx.out, o);
                return ExitCodes.OK;
            }
            ctx.out.println(switch (s.state()) {
                case RUNNING -> "The local database runs: PostgreSQL " + s.postgresVersion() + " on 127.0.0.1:" + s.port()
                        + " (pid " + s.pid() + ") since " + Times.text(s.startedAt()) + ".";
                case STARTING -> "The local database is starting (after a crash it recovers first): PostgreSQL "
                        + s.postgresVersion() + " on 127.0.0.1:" + s.port() + " (pid " + s.pid() + "); the next command"
                        + " waits for it.";
                case STOPPED_ABRUPTLY -> "The local database is not running: it stopped abruptly (pid " + s.pid()
                        + " is gone, killed or crashed). The next command starts it, and it recovers what was committed.";
                case STOPPED -> "The local database is stopped; the next command starts it.";
                case NONE -> "There is no local database yet; the first command creates it.";
            });
            ctx.out.println("Data: " + s.dataDirectory());
            ctx.out.println("Log:  " + s.log());
            return ExitCodes.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the local server (creating it on first use).")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        DbCommand parent;

        @Override
        public Integer call() {
            Context ctx = parent.parent.context;
            LocalServer server = local(ctx, "start");
            boolean was = server.status().running();
            LocalServerStatus s = server.start(ctx.config().databasePort(), ctx.feedback(false));
            ctx.out.println((was ? "The local database was running already on " : "Started the local database on ")
                    + "127.0.0.1:" + s.port() + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the local server, cleanly (or at once).")
    static final class Stop implements Callable<Integer> {
        @ParentCommand
        DbCommand parent;

        @Option(names = "--immediate", description = "Stop at once, as a crash would: PostgreSQL recovers at the next"
                + " start, keeping what was committed.")
        boolean immediate;

        @Override
        public Integer call() {
            Context ctx = parent.parent.context;
            boolean was = local(ctx, "stop").stop(immediate);
            ctx.out.println(was ? "Stopped the local database." : "The local database was not running.");
            return ExitCodes.OK;
        }
    }
}
