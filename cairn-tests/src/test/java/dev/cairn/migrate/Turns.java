package dev.cairn.migrate;

import java.util.List;
import java.util.Random;

/**
 * The ways a fault strikes, taken each in turn from a random first one, so that a few faults
 * try them all and a seed replays the same order.
 */
final class Turns {
    private final List<String> ways;
    private int next;

    Turns(Random random, List<String> ways) {
        this.ways = ways;
        this.next = random.nextInt(ways.size());
    }

    String next() {
        return ways.get(next++ % ways.size());
    }
}
