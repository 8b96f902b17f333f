package dev.cairn.api;

/** The rules every user-given name (datasets, fields, tags) shares. */
final class Names {

    private Names() {
    }

    /**
     * Checks what every kind of name must be: not empty, at most {@code max} characters, and
     * without control characters, broken Unicode or blanks at its ends.
     *
     * @param kind what it names, for the message: "dataset", "field"
     */
    static String check(String kind, String name, int max) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("a " + kind + " name cannot be empty");
        }
        if (name.codePointCount(0, name.length()) > max) {
            throw new InvalidInputException("the " + kind + " name " + Texts.quoted(name) + " is too long: " + kind
                    + " names have at most " + max + " characters");
        }
        String problem = problem(name);
        if (problem != null) {
            throw new InvalidInputException("the " + kind + " name " + Texts.quoted(name) + " " + problem);
        }
        return name;
    }

    /**
     * What is wrong with the text as a name, as the end of a sentence, or {@code null} if nothing:
     * control characters, broken Unicode, or blanks at either end are refused.
     */
    static String problem(String name) {
        for (int i = 0; i < name.length(); ) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(i + 1))) {
                    return "is not valid Unicode (a lone surrogate)";
                }
                i += 2;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                return "is not valid Unicode (a lone surrogate)";
            }
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return "contains a control character (" + String.format("\\u%04x", (int) c) + ")";
            }
            i++;
        }
        if (!name.isEmpty() && (Character.isWhitespace(name.codePointAt(0))
                || Character.isWhitespace(name.codePointBefore(name.length()))
                || Character.isSpaceChar(name.codePointAt(0))
                || Character.isSpaceChar(name.codePointBefore(name.length())))) {
            return "starts or ends with a blank";
        }
        return null;
    }
}
