package dev.cairn.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a user may do with a dataset on a shared database with access control, each level
 * including the ones before it: see nothing of it, view it, edit its samples and schema, or
 * manage it (rename, delete, and say who may do what).
 */
public enum AccessLevel {
    NONE, VIEW, EDIT, MANAGE;

    /** The level's rank as the database stores it, 0 for none to 3 for manage. */
    public int rank() {
        return ordinal();
    }

    /** The level as people write it: none, view, edit or manage. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AccessLevel of(int rank) {
        if (rank < 0 || rank >= values().length) {
            throw new DamagedDatabaseException("an access level is recorded as " + rank + ", which is none of 0 to 3:"
                    + " the access list was tampered with");
        }
        return values()[rank];
    }

    /** Reads a level as people write it, case-insensitively. */
    public static AccessLevel parse(String text) {
        for (AccessLevel level : values()) {
            if (level.text().equalsIgnoreCase(String.valueOf(text).trim())) {
                return level;
            }
        }
        throw new InvalidInputException(Texts.quoted(String.valueOf(text)) + " is not an access level: it is one of "
                + Arrays.stream(values()).map(AccessLevel::text).collect(Collectors.joining(", ")));
    }
}
