package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.CairnConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cairn config}: the effective configuration, secrets hidden. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Show the effective configuration and where each setting comes from, secrets hidden.",
                "Each setting comes from the environment (CAIRN_...), else from CAIRN_HOME/config.json",
                "(a JSON object of the settings' keys), else from its default."},
        footer = ExitCodes.FOOTER)
final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    CairnCommand parent;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        Context ctx = parent.context;
        CairnConfig config = ctx.config();
        if (json.on) {
            ObjectNode o = JsonOut.object();
            o.putObject("home").put("value", config.home().toString()).put("source", config.homeSource().label());
            o.put("config_file", config.configFile().toString());
            o.put("mode", config.isLocal() ? "local" : "shared");
            ObjectNode settings = o.putObject("settings");
            for (Map.Entry<CairnConfig.Setting, CairnConfig.Value> e : config.values().entrySet()) {
                settings.putObject(e.getKey().key()).put("value", e.getValue().text())
                        .put("source", e.getValue().source().label())
                        .put("environment_variable", e.getKey().environmentVariable());
            }
            JsonOut.print(ctx.out, o);
            return ExitCodes.OK;
        }
        ctx.out.println("Database: " + (config.isLocal() ? "local (Cairn's own PostgreSQL, data under " + config.home()
                + "/server)" : "shared, " + config.databaseUri().orElseThrow()));
        ctx.out.println("Config file: " + config.configFile());
        ctx.out.println();
        Table t = new Table("SETTING", "VALUE", "FROM");
        t.row(CairnConfig.HOME_VARIABLE, config.home(), config.homeSource().label());
        for (CairnConfig.Setting s : CairnConfig.Setting.values()) {
            CairnConfig.Value v = config.values().get(s);
            boolean unused = config.isLocal() ? s == CairnConfig.Setting.DATABASE_URI
                    : s == CairnConfig.Setting.DATABASE_NAME || s == CairnConfig.Setting.DATABASE_PORT
                    || s == CairnConfig.Setting.POSTGRES_BINARIES;
            t.row(s.environmentVariable(), v == null ? "(not set)" : v.text(),
                    (v == null ? "-" : v.source().label()) + (unused && v != null ? " (not used)" : ""));
        }
        t.print(ctx.out);
        return ExitCodes.OK;
    }
}
