package dev.cairn.api;

/** Small helpers for putting user-supplied text into messages safely. */
public final class Texts {

    private static final int MESSAGE_LIMIT = 80;

    private Texts() {
    }

    /**
     * The text as it may appear in a message: control characters shown as escapes, and long
     * text cut with a note of its full length, so that a hostile name cannot garble a terminal
     * or flood a log.
     */
    public static String printable(String text) {
        if (text == null) {
            return "(null)";
        }
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < text.length() && shown < MESSAGE_LIMIT; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            shown++;
            if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
                out.append(String.format("\\u%04x", cp));
            } else if (Character.isSurrogate((char) cp)) {
                out.append("\\ufffd");
            } else {
                out.appendCodePoint(cp);
            }
        }
        int total = text.codePointCount(0, text.length());
        if (total > MESSAGE_LIMIT) {
            out.append("… (").append(total).append(" characters)");
        }
        return out.toString();
    }

    /** The printable text in single quotes. */
    public static String quoted(String text) {
        return "'" + printable(text) + "'";
    }

    /** The text as a Java string literal, for messages that show a Java call. */
    public static String javaLiteral(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
