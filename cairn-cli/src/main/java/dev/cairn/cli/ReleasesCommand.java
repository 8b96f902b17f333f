package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.cairn.Cairn;
import dev.cairn.api.DataModel;
import dev.cairn.api.Release;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cairn releases}: every release and its data model version. */
@Command(name = "releases", mixinStandardHelpOptions = true,
        description = {"The release table: every Cairn release that was cut, the data model version it works at and the"
                + " commit it was built from (install one with ./install.sh --release RELEASE), then this build's own"
                + " release if its commit is not recorded yet.",
                "Use it to choose a destination: cairn migrate --all --release RELEASE. A data model version that no"
                        + " release was cut at is reached with cairn migrate -v VERSION."},
        footer = ExitCodes.FOOTER)
final class ReleasesCommand implements Callable<Integer> {

    /** What the commit column says of a release whose commit the table does not record. */
    private static final String UNRECORDED = "(this build; commit not recorded yet)";

    @ParentCommand
    CairnCommand parent;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        Context ctx = parent.context;
        DataModel model = Cairn.dataModel(ctx.config());
        if (json.on) {
            ArrayNode a = JsonOut.array();
            for (Release r : model.releases()) {
                a.addObject().put("release", r.release().toString()).put("data_model", r.dataModel().toString())
                        .put("commit", r.commit().orElse(null))
                        .put("this_client", r.release().equals(model.release()));
            }
            JsonOut.print(ctx.out, a);
            return ExitCodes.OK;
        }
        Table t = new Table("RELEASE", "DATA MODEL", "COMMIT", "");
        for (Release r : model.releases()) {
            t.row(r.release(), r.dataModel(), r.commit().map(c -> c.substring(0, 12)).orElse(UNRECORDED),
                    r.release().equals(model.release()) ? "<- this client" : "");
        }
        t.print(ctx.out);
        return ExitCodes.OK;
    }
}
