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
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("a dataset name cannot be empty");
        }
        int length = name.codePointCount(0, name.length());
        if (length > MAX_LENGTH) {
            throw new InvalidInputException("the dataset name " + Texts.quoted(name) + " is too long: dataset names"
                    + " have at most " + MAX_LENGTH + " characters");
        }
        String problem = Names.problem(name);
        if (problem != null) {
            throw new InvalidInputException("the dataset name " + Texts.quoted(name) + " " + problem);
        }
        return name;
    }
}
