package dev.cairn.cli;

import dev.cairn.api.CairnException;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The {@code cairn} command: runs one command line and exits with its status. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status = execute(args, System.getenv(), System.in, out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs a command line with the given environment and output streams, as the {@code cairn}
     * command does, and returns its exit status.
     */
    public static int execute(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return execute(args, environment, java.io.InputStream.nullInputStream(), out, err);
    }

    /** As {@link #execute(String[], Map, PrintStream, PrintStream)}, reading standard input from {@code in}. */
    public static int execute(String[] args, Map<String, String> environment, java.io.InputStream in, PrintStream out,
                              PrintStream err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // The command typed most: answered before picocli and the rest of Cairn load.
            for (String line : new CairnCommand.Version().getVersion()) {
                out.println(line);
            }
            return ExitCodes.OK;
        }
        Context context = new Context(environment, in, out, err);
        Boolean infoAsJson = MigrateCommand.infoOnly(args);
        if (infoAsJson != null) {
            Warmup.start();
            // the other command typed most, answered without building picocli's model of the commands
            // (about a third of its start): the same output, statuses and messages as through picocli
            try {
                return MigrateCommand.info(context, infoAsJson);
            } catch (Exception e) {
                return failed(e, context);
            }
        }
        CommandLine cmd = new CommandLine(new CairnCommand(context));
        String named = subcommandNamed(args);
        for (Class<?> subcommand : CairnCommand.SUBCOMMANDS) {
            if (named == null || named.equals(subcommand.getAnnotation(CommandLine.Command.class).name())) {
                cmd.addSubcommand(subcommand);
            }
        }
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CommandLine.ParameterException p) {
                throw p;
            }
            return failed(e, context);
        });
        cmd.setParameterExceptionHandler((e, a) -> {
            err.println("cairn: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd.execute(args);
    }

    /**
     * The subcommand a command line runs, when its first word after {@code --verbose} names one;
     * else null, and every subcommand is built (for help, suggestions and errors).
     */
    private static String subcommandNamed(String[] args) {
        for (String arg : args) {
            if (arg.equals("--verbose")) {
                continue;
            }
            for (Class<?> subcommand : CairnCommand.SUBCOMMANDS) {
                if (arg.equals(subcommand.getAnnotation(CommandLine.Command.class).name())) {
                    return arg;
                }
            }
            return null;
        }
        return null;
    }

    /** A command's failure, told on standard error; returns its exit status. */
    private static int failed(Exception e, Context context) {
        PrintStream err = context.err;
        if (e instanceof CairnException c) {
            err.println("cairn: " + label(c) + CommandLines.message(c));
            if (context.verbose() && c.getCause() != null) {
                c.getCause().printStackTrace(err);
            }
            return ExitCodes.of(c);
        }
        err.println("cairn: internal error: " + e);
        if (context.verbose()) {
            e.printStackTrace(err);
        } else {
            err.println("cairn: run again with --verbose for the details, and report it");
        }
        return ExitCodes.FAILED;
    }

    private static String label(CairnException e) {
        return switch (e.kind()) {
            case REFUSED -> "refused: ";
            case DAMAGED -> "damaged database: ";
            default -> "error: ";
        };
    }
}
