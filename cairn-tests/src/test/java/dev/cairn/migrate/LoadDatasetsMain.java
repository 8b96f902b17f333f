package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.Dataset;
import dev.cairn.api.Sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A lazy loader in a process of its own, for the concurrency tests: opens Cairn as the
 * environment says (as {@code cairn} does), prints {@code READY}, waits until the file named by
 * the first argument exists ({@code -} for not at all), then loads each dataset named by the
 * other arguments and prints {@code LOADED name version count digest} for each. Exit status 0
 * when every dataset loaded, 1 otherwise.
 */
public final class LoadDatasetsMain {

    private LoadDatasetsMain() {
    }

    public static void main(String[] args) throws Exception {
        int exit = 0;
        try (Cairn cairn = Cairn.open(CairnConfig.load())) {
            System.out.println("READY");
            System.out.flush();
            if (!args[0].equals("-")) {
                Path go = Path.of(args[0]);
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (!Files.exists(go)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no go signal in 120 s");
                    }
                    Thread.sleep(2);
                }
            }
            for (int i = 1; i < args.length; i++) {
                Dataset d = cairn.dataset(args[i]);
                Map<String, Sample> all = Fixtures.readAll(d);
                System.out.println("LOADED " + args[i] + " " + d.info().version() + " " + all.size() + " "
                        + Fixtures.digest(all.values()));
            }
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            exit = 1;
        }
        System.out.flush();
        System.exit(exit);
    }
}
