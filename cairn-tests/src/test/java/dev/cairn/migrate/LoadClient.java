package dev.cairn.migrate;

import dev.cairn.Cairn;
import dev.cairn.api.Dataset;
import dev.cairn.api.Filter;
import dev.cairn.api.Query;
import dev.cairn.api.Sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One client of the load test: for a while, loads random datasets and adds, updates, reads and
 * streams samples, logging every write that returned (so committed) as one line:
 * {@code add DATASET ID SEQ} or {@code update DATASET ID VALUE}. Any exception ends it.
 */
final class LoadClient {

    private final String clientId;
    private final List<String> datasets;
    private final Random random;
    private final Map<String, List<String>> mine = new HashMap<>();

    LoadClient(String clientId, List<String> datasets, long seed) {
        this.clientId = clientId;
        this.datasets = datasets;
        this.random = new Random(seed);
    }

    /** Runs until {@code endNanos}; returns how many operations it did. */
    long run(Cairn cairn, long endNanos, Consumer<String> log) {
        long ops = 0;
        long seq = 0;
        long value = 0;
        while (System.nanoTime() < endNanos) {
            String name = datasets.get(random.nextInt(datasets.size()));
            Dataset d = cairn.dataset(name);
            List<String> own = mine.computeIfAbsent(name, k -> new ArrayList<>());
            int op = random.nextInt(10);
            if (op < 4 || own.isEmpty()) {
                Sample s = Sample.of("/load/" + clientId + "/" + seq).withTags("load").with("client", clientId).with("seq", seq);
                d.add(s);
                own.add(s.id());
                log.accept("add " + name + " " + s.id() + " " + seq);
                seq++;
            } else if (op < 7) {
                String id = own.get(random.nextInt(own.size()));
                Sample s = d.get(id);
                d.update(s.with("v", ++value));
                log.accept("update " + name + " " + id + " " + value);
            } else if (op < 9) {
                String last = own.get(own.size() - 1);
                if (d.find(last).isEmpty()) {
                    throw new AssertionError("client " + clientId + " cannot read back its own sample " + last + " in " + name);
                }
                d.count(Filter.field("client").eq(clientId));
                d.list(Query.where(Filter.tag("load")).sortByDescending("seq").limit(5));
            } else {
                try (Stream<Sample> all = d.stream()) {
                    all.limit(200).forEach(x -> { });
                }
            }
            ops++;
        }
        return ops;
    }
}
