package dev.cairn.api.migration;

import java.util.Locale;

/** Who may move a database's version. */
public enum Policy {
    /** A newer client that is admin upgrades the database when it connects (local databases). */
    AUTO,
    /** Only {@code cairn migrate}, run by an admin, changes the database version (shared databases). */
    MANUAL;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Policy parse(String text) {
        for (Policy p : values()) {
            if (p.text().equals(text)) {
                return p;
            }
        }
        return null;
    }
}
