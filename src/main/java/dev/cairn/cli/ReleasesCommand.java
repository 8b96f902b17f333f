package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.cairn.Cairn;
import dev.cairn.api.DataModel;
import dev.cairn.api.Release;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cairn releases}: every release and its data model version. */
@Command(name = "releases", mixinStandardHelpOptions = true,
        description = {"The release table: every Cairn release and the data model version it works at.",
                "Use it to choose a destination: cairn migrate --all --release RELEASE."},
        footer = ExitCodes.FOOTER)
final class ReleasesCommand implements Callable<Integer> {

    @ParentCommand
    CairnCommand parent;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        Context ctx = parent.context;
        DataModel model = Cairn.dataModel(ctx.config());
        if (json) {
            ArrayNode a = JsonOut.array();
            for (Release r : model.releases()) {
                a.addObject().put("release", r.release().toString()).put("data_model", r.dataModel().toString())
                        .put("this_client", r.release().equals(model.release()));
            }
            JsonOut.print(ctx.out, a);
            return ExitCodes.OK;
        }
        Table t = new Table("RELEASE", "DATA MODEL", "");
        for (Release r : model.releases()) {
            t.row(r.release(), r.dataModel(), r.release().equals(model.release()) ? "<- this client" : "");
        }
        t.print(ctx.out);
        return ExitCodes.OK;
    }
}
