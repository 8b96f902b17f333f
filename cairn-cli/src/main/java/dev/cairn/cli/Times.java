package dev.cairn.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Times as people read them: local, to the second. */
final class Times {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Times() {
    }

    static String text(Instant t) {
        return t == null ? "-" : FORMAT.format(t);
    }
}
