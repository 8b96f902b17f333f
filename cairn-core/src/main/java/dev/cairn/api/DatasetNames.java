package dev.cairn.api;

/**
 * The rule for dataset names. Any text a person would type is allowed, quotes, semicolons and
 * every script included: names are only ever bound as values, never written into SQL.
 */
public final class DatasetNames {

    public static final int MAX_LENGTH = 200;

    private DatasetNames() {
    }

    /** Returns the name if it is acceptable, or throws with a message that says why not. */
    public static String check(String name) {
        return Names.check("dataset", name, MAX_LENGTH);
    }
}
