package dev.cairn.api;

/** The rules every user-given name (datasets, fields, tags) shares. */
final class Names {

    private Names() {
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
