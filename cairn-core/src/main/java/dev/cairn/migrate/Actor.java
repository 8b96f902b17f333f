package dev.cairn.migrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who runs this client, as history and waiting messages name them: {@code user@host}. */
final class Actor {

    private static final String CURRENT = System.getProperty("user.name", "unknown") + "@" + host();

    private Actor() {
    }

    static String current() {
        return CURRENT;
    }

    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return Files.readString(Path.of("/etc/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
