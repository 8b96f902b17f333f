package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DataModel;
import dev.cairn.api.Feedback;
import dev.cairn.api.Version;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A load client in a process of its own: {@code LoadClientMain LOG CLIENT_ID RELEASE SECONDS
 * DATASET...}, configured by the environment (as the cairn command is). RELEASE 0.9.0 is the
 * test's data model with its rewriting revision; others are shipped releases. It writes one line
 * per committed write to LOG, then {@code done OPS}; on an error it writes {@code error ...} and
 * exits 1.
 */
public final class LoadClientMain {

    private LoadClientMain() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        String clientId = args[1];
        String release = args[2];
        long seconds = Long.parseLong(args[3]);
        List<String> datasets = Arrays.asList(args).subList(4, args.length);
        DataModel model = LoadDuringMigrationTest.model().asOfRelease(Version.parse(release));
        CairnConfig config = CairnConfig.load();
        int status = 0;
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
             Cairn cairn = Cairn.open(config, model, Feedback.NONE)) {
            try {
                long ops = new LoadClient(clientId, datasets, clientId.hashCode()).run(cairn,
                        System.nanoTime() + seconds * 1_000_000_000L, out::println);
                out.println("done " + ops);
            } catch (Throwable t) {
                out.println("error " + t);
                status = 1;
            }
        }
        System.exit(status);
    }
}
