package dev.cairn.text;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a line (of an import file, of config.json) is not JSON, in plain words. Jackson's own messages name its classes and the
 * features that would make it lenient ("enable JsonReadFeature..."), and some quote a redacted
 * source: none of that means anything to someone fixing a file.
 */
public final class JsonErrors {

    private static final Pattern NON_STANDARD = Pattern.compile("^Non-standard token '([^']*)'");
    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\('(.)' \\(code (\\d+)\\)\\)(.*)",
            Pattern.DOTALL);
    private static final Pattern UNRECOGNIZED = Pattern.compile("^Unrecognized token '([^']*)'");
    private static final Pattern CLOSE = Pattern.compile("^Unexpected close marker '(.)': expected '(.)' \\(for (\\w+)");
    private static final Pattern CONTROL = Pattern.compile("^Illegal (unquoted )?character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)");
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '([^']*)'");
    private static final Pattern ESCAPE = Pattern.compile("^Unrecognized character escape '(.)'");

    private JsonErrors() {
    }

    /** What is wrong with a line of JSON, without Jackson's words. */
    public static String reason(JsonProcessingException e) {
        return reason(e, "the line");
    }

    /** What is wrong with a text of JSON ({@code whole} names it: "the line", "the file"), without Jackson's words. */
    public static String reason(JsonProcessingException e, String whole) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher x;
        if ((x = NON_STANDARD.matcher(m)).find()) {
            String token = x.group(1);
            return token.matches("[+-]?(NaN|Infinity)") ? token + " is not a JSON number (write null, or leave the value out)"
                    : shown(token) + " is not JSON";
        }
        if ((x = UNEXPECTED.matcher(m)).find()) {
            return unexpected(shown(Character.toString(Integer.parseInt(x.group(2)))), x.group(3));
        }
        if ((x = UNRECOGNIZED.matcher(m)).find()) {
            return shown(x.group(1)) + " is not a JSON value (text needs double quotes; true, false and null are"
                    + " lower case)";
        }
        if (m.startsWith("Unexpected end-of-input")) {
            return m.contains("closing quote") ? whole + " ends inside a string (a closing \" is missing)"
                    : whole + " ends before the JSON value does (a closing } or ] is missing)";
        }
        if ((x = DUPLICATE.matcher(m)).find()) {
            return "the key " + shown(x.group(1)) + " appears twice in one object";
        }
        if (m.startsWith("Trailing token")) {
            return "more follows the JSON value on the same line (each line holds one JSON object)";
        }
        if ((x = CLOSE.matcher(m)).find()) {
            return x.group(3).equals("root") ? "'" + x.group(1) + "' closes nothing"
                    : "'" + x.group(1) + "' where '" + x.group(2) + "' should close the " + x.group(3).toLowerCase();
        }
        if ((x = CONTROL.matcher(m)).find()) {
            String c = String.format("\\u%04x", Integer.parseInt(x.group(2)));
            return x.group(1) != null ? "a control character (" + c + ") inside a string must be written as an escape ("
                    + c + ")" : "a control character (" + c + ") stands outside any string";
        }
        if ((x = ESCAPE.matcher(m)).find()) {
            return shown("\\" + x.group(1)) + " is not a JSON escape (the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t"
                    + " and \\uXXXX)";
        }
        if (m.contains("Leading zeroes not allowed")) {
            return "a number cannot start with 0 (write 7, not 07)";
        }
        if (m.startsWith("Numeric value") && m.contains("out of range")) {
            return "a number is out of range";
        }
        if (m.startsWith("Invalid numeric value")) {
            return "a number is malformed";
        }
        return "it is not well-formed JSON";
    }

    private static String unexpected(String c, String rest) {
        if (rest.contains("plus signs")) {
            return "a JSON number cannot start with '+'";
        }
        if (rest.contains("Decimal point not followed")) {
            return "a number's decimal point must be followed by a digit, not " + c;
        }
        if (rest.contains("Exponent indicator not followed")) {
            return "a number's exponent needs digits, not " + c;
        }
        if (rest.contains("follow minus sign")) {
            return "a '-' must be followed by a digit, not " + c;
        }
        if (rest.contains("hex-digit")) {
            return "a \\u escape needs four hex digits, not " + c;
        }
        if (rest.contains("comment")) {
            return "comments are not JSON";
        }
        if (rest.contains("start field name")) {
            return c + " where a key in double quotes should be";
        }
        if (rest.contains("colon to separate")) {
            return c + " where ':' should separate a key from its value";
        }
        if (rest.contains("Object entries")) {
            return c + " where ',' or '}' should be";
        }
        if (rest.contains("Array entries")) {
            return c + " where ',' or ']' should be";
        }
        if (rest.contains("valid value")) {
            return c + " where a value should be (a string in double quotes, a number, an object, a list, true, false"
                    + " or null)";
        }
        return "unexpected " + c;
    }

    /** A token or character quoted, with control and invisible characters escaped. */
    private static String shown(String text) {
        if (text.equals("'")) {
            return "\"'\"";
        }
        StringBuilder out = new StringBuilder("'");
        text.codePoints().limit(40).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029 || Character.getType(cp) == Character.FORMAT) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append(text.codePointCount(0, text.length()) > 40 ? "…'" : "'").toString();
    }
}
