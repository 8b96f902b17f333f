package dev.cairn.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts fixed when Cairn was built: its release and the PostgreSQL binaries it carries. */
public final class Build {

    private static final Properties PROPERTIES = load();

    private Build() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Build.class.getResourceAsStream("/dev/cairn/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/cairn/build.properties is missing from the jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The release this jar was built as, from the build. */
    public static String release() {
        return PROPERTIES.getProperty("release");
    }

    /** The version of the embedded PostgreSQL binaries, such as {@code 17.11.0}. */
    public static String postgresBinaries() {
        return PROPERTIES.getProperty("postgres.binaries");
    }
}
