package dev.cairn.cli;

import dev.cairn.api.CairnException;
import dev.cairn.api.Remedy;
import dev.cairn.api.migration.MigrationRequest;

/**
 * What the core returns as data, in the words of this command line: a remedy as the command to
 * type (with {@code CAIRN_DATABASE_ADMIN=true} in front where only an admin may run it), a
 * migration request as the {@code cairn migrate} line that asks for it.
 */
final class CommandLines {

    private static final String AS_ADMIN = "CAIRN_DATABASE_ADMIN=true ";

    private CommandLines() {
    }

    /** An error's message, its remedies as commands. */
    static String message(CairnException e) {
        return e.message(CommandLines::of);
    }

    static String of(Remedy remedy) {
        // (a switch over the sealed remedies needs Java 21; Cairn builds for 17)
        if (remedy instanceof Remedy.Migrate m) {
            return AS_ADMIN + of(m.request());
        }
        if (remedy instanceof Remedy.SetPolicy p) {
            return AS_ADMIN + "cairn migrate --policy " + p.policy().text();
        }
        if (remedy instanceof Remedy.SetUpAccess) {
            return AS_ADMIN + "cairn admin init";
        }
        if (remedy instanceof Remedy.AddUser a) {
            return AS_ADMIN + "cairn admin add-user " + shellQuote(a.login()) + (a.admin() ? " --admin" : "");
        }
        if (remedy instanceof Remedy.RemoveUser r) {
            return AS_ADMIN + "cairn admin remove-user " + shellQuote(r.login());
        }
        if (remedy instanceof Remedy.ListUsers) {
            return "cairn admin users";
        }
        if (remedy instanceof Remedy.Grant g) {
            return "cairn datasets grant " + shellQuote(g.dataset()) + " USER edit";
        }
        if (remedy instanceof Remedy.ListReleases) {
            return "cairn releases";
        }
        if (remedy instanceof Remedy.ListDatasets) {
            return "cairn datasets list";
        }
        if (remedy instanceof Remedy.CheckLocalServer) {
            return "cairn db status";
        }
        if (remedy instanceof Remedy.Export) {
            return "cairn export";
        }
        throw new IllegalArgumentException("a remedy this command cannot say: " + remedy);
    }

    /** The {@code cairn migrate} command line that asks for a request (without its error level and workers). */
    static String of(MigrationRequest request) {
        StringBuilder s = new StringBuilder("cairn migrate");
        switch (request.scope()) {
            case ALL -> s.append(" --all");
            case NAMED -> {
                s.append(" -n");
                request.datasets().forEach(d -> s.append(' ').append(shellQuote(d)));
            }
            case DATABASE -> {
            }
        }
        if (request.version() != null) {
            s.append(" -v ").append(request.version());
        }
        if (request.release() != null) {
            s.append(" --release ").append(request.release());
        }
        return s.toString();
    }

    /** The text quoted for a POSIX shell, when it needs quoting. */
    static String shellQuote(String text) {
        if (text.matches("[A-Za-z0-9_./:=+-]+")) {
            return text;
        }
        return "'" + text.replace("'", "'\"'\"'") + "'";
    }
}
