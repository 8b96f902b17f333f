package dev.cairn.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this process is, on a POSIX system. */
final class Posix {

    private static final boolean ROOT = readRoot();

    private Posix() {
    }

    static boolean isRoot() {
        return ROOT;
    }

    private static boolean readRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: not Linux
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
