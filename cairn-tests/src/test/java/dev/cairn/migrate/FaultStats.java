package dev.cairn.migrate;

import java.util.Map;
import java.util.TreeMap;

/** What the faults of one fault test hit, counted for its summary line. */
final class FaultStats {
    int faults;
    int upFaults;
    int downFaults;
    int finishedFirst;
    long samples;
    /** Samples counted in the checks after each run, and how many of them were missing or extra (must be 0). */
    long samplesChecked;
    long lostOrDoubled;
    long slowestRelease;
    /** The longest a migrator took to end by itself after a fault, in ms. */
    long slowestExit;
    final Map<String, Integer> seen = new TreeMap<>();

    void count(String what) {
        seen.merge(what, 1, Integer::sum);
    }

    int seen(String what) {
        return seen.getOrDefault(what, 0);
    }

    /** Every count whose key starts with {@code prefix}, as "key-rest xN, ...". */
    String seenStartingWith(String prefix) {
        StringBuilder out = new StringBuilder();
        seen.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.append(out.length() == 0 ? "" : ", ").append(k.substring(prefix.length())).append(" x")
                        .append(v);
            }
        });
        return out.length() == 0 ? "none" : out.toString();
    }
}
