package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.cairn.Migrations;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Texts;
import dev.cairn.api.migration.AdminSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code cairn admin ...}: privileges on a shared server. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"Set up a shared server so that the database, not only CAIRN_DATABASE_ADMIN, enforces who",
                "may do what: regular users create datasets and use those they were given access to (and let",
                "them upgrade lazily), through checked paths only; only admins change the database's version",
                "and policy, or run revisions. Regular users own and create nothing in the database.",
                "",
                "  CAIRN_DATABASE_ADMIN=true cairn admin init                 roles and privileges (repairs too)",
                "  CAIRN_DATABASE_ADMIN=true cairn admin add-user NAME        a regular user (password on stdin)",
                "  CAIRN_DATABASE_ADMIN=true cairn admin add-user NAME --admin  an admin",
                "  cairn admin users                                          who is a user or an admin",
                "  cairn datasets access|grant|revoke NAME ...                who may use a dataset",
                "",
                "init needs a PostgreSQL role that can create roles and owns the database (or a superuser)."},
        footer = ExitCodes.FOOTER,
        subcommands = {AdminCommand.Init.class, AdminCommand.AddUser.class, AdminCommand.RemoveUser.class,
                AdminCommand.Users.class})
final class AdminCommand implements Runnable {

    @ParentCommand
    CairnCommand parent;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(parent.context.out);
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create the database's Cairn roles and give"
            + " every Cairn object the privileges it needs; creates the Cairn database if there is none.")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        AdminCommand parent;

        @Override
        public Integer call() {
            Context ctx = parent.parent.context;
            try (Migrations m = ctx.migrations(false)) {
                AdminSetup s = m.setUpPrivileges();
                ctx.out.println((s.created() ? "Created the Cairn database and set up" : "Set up") + " its privileges:"
                        + " admins are members of " + s.adminRole() + ", users of " + s.userRole() + ".");
                ctx.out.println("Add people with: CAIRN_DATABASE_ADMIN=true cairn admin add-user NAME [--admin]");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "add-user", mixinStandardHelpOptions = true, description = {"Make a database login a Cairn user of"
            + " this database (or an admin, with --admin), creating the login if need be.",
            "The password is read from standard input (one line) and hashed before it is sent."})
    static final class AddUser implements Callable<Integer> {
        @ParentCommand
        AdminCommand parent;

        @Parameters(paramLabel = "NAME", description = "The database login.")
        String name;

        @Option(names = "--admin", description = "An admin: may move the database's version and set its policy.")
        boolean admin;

        @Option(names = "--password-stdin", description = "Read the password from standard input (needed for a new login).")
        boolean passwordStdin;

        @Override
        public Integer call() throws IOException {
            Context ctx = parent.parent.context;
            char[] password = null;
            if (passwordStdin) {
                String line = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new InvalidInputException("no password on standard input");
                }
                password = line.toCharArray();
            }
            try (Migrations m = ctx.migrations(false)) {
                m.addUser(name, password, admin);
                ctx.out.println("The database login " + Texts.quoted(name) + " is now a Cairn " + (admin ? "admin" : "user")
                        + " of this database.");
                return ExitCodes.OK;
            } finally {
                if (password != null) {
                    java.util.Arrays.fill(password, '\0');
                }
            }
        }
    }

    @Command(name = "remove-user", mixinStandardHelpOptions = true, description = "Take a login's Cairn rights on this"
            + " database away (the login itself stays).")
    static final class RemoveUser implements Callable<Integer> {
        @ParentCommand
        AdminCommand parent;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            Context ctx = parent.parent.context;
            try (Migrations m = ctx.migrations(false)) {
                if (!m.removeUser(name)) {
                    throw new dev.cairn.api.NotFoundException("there is no database login " + Texts.quoted(name));
                }
                ctx.out.println("The database login " + Texts.quoted(name) + " has no Cairn rights on this database now.");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "users", mixinStandardHelpOptions = true, description = "List the database's Cairn users and admins.")
    static final class Users implements Callable<Integer> {
        @ParentCommand
        AdminCommand parent;

        @Mixin
        JsonOption json;

        @Override
        public Integer call() {
            Context ctx = parent.parent.context;
            try (Migrations m = ctx.migrations(json.on)) {
                List<AdminSetup.DatabaseUser> users = m.users();
                if (json.on) {
                    ArrayNode a = JsonOut.array();
                    users.forEach(u -> a.addObject().put("name", u.name()).put("admin", u.admin()));
                    JsonOut.print(ctx.out, a);
                    return ExitCodes.OK;
                }
                Table t = new Table("LOGIN", "ROLE");
                users.forEach(u -> t.row(u.name(), u.admin() ? "admin" : "user"));
                if (t.isEmpty()) {
                    ctx.out.println("No Cairn users yet: CAIRN_DATABASE_ADMIN=true cairn admin add-user NAME");
                } else {
                    t.print(ctx.out);
                }
                return ExitCodes.OK;
            }
        }
    }
}
