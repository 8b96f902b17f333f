package dev.cairn.api;

import java.util.Objects;
import java.util.Set;

/** A field of a dataset's schema: its name and its type. */
public record Field(String name, FieldType type) {

    /** Names that belong to every sample and so cannot name a field. */
    public static final Set<String> RESERVED = Set.of("id", "filepath", "tags", "metadata");
    public static final int MAX_NAME_LENGTH = 100;

    public Field {
        checkName(name);
        Objects.requireNonNull(type, "type");
    }

    /**
     * Checks a field name: 1 to 100 characters, no control characters, no dot (dots separate the
     * parts of a path such as {@code ground_truth.label}), not starting with {@code _} or
     * {@code $}, and not one of the names every sample has.
     */
    public static String checkName(String name) {
        Names.check("field", name, MAX_NAME_LENGTH);
        if (name.contains(".")) {
            throw new InvalidInputException("the field name " + Texts.quoted(name) + " has a '.', which separates"
                    + " the parts of a path; use '_' instead");
        }
        if (name.startsWith("_") || name.startsWith("$")) {
            throw new InvalidInputException("the field name " + Texts.quoted(name) + " starts with '"
                    + name.charAt(0) + "', which Cairn keeps for itself");
        }
        if (RESERVED.contains(name)) {
            throw new InvalidInputException("'" + name + "' belongs to every sample and cannot name a field; the"
                    + " names kept are " + String.join(", ", RESERVED.stream().sorted().toList()));
        }
        return name;
    }
}
