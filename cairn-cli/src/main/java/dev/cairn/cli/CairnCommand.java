package dev.cairn.cli;

import dev.cairn.Cairn;
import dev.cairn.api.Build;
import dev.cairn.api.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;

/** The top of the command tree. */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = CairnCommand.Version.class,
        description = {"A dataset database for machine-learning teams, on PostgreSQL.",
                "",
                "By default Cairn runs its own PostgreSQL, with its data under CAIRN_HOME (~/.cairn); set",
                "CAIRN_DATABASE_URI to use a shared server. 'cairn config' shows the settings."},
        footer = ExitCodes.FOOTER)
final class CairnCommand implements Runnable {

    /**
     * The subcommands, in the order help lists them. They are not in the annotation so that
     * {@link Main} can build only the one a command line names: picocli reflects over every
     * command it is given, which costs more than the rest of a short command's start.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(DatasetsCommand.class, ImportCommand.class,
            ExportCommand.class, MigrateCommand.class, ReleasesCommand.class, AdminCommand.class, DbCommand.class,
            ConfigCommand.class);

    final Context context;

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", description = "Say more, and show the details of errors.", scope = picocli.CommandLine.ScopeType.INHERIT)
    void verbose(boolean v) {
        context.verbose(v);
    }

    CairnCommand(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        spec.commandLine().usage(context.out);
    }

    /** {@code cairn --version}: the release and its data model version. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"cairn " + Build.release() + " (data model " + Cairn.shippedModel().version()
                    + ", PostgreSQL " + Build.postgresBinaries() + " embedded)"};
        }
    }
}
