package dev.cairn.api;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A data model version or a release number: {@code MAJOR.MINOR.PATCH}, each a non-negative
 * integer without leading zeros. Anything else is refused with a message that shows the form.
 */
public final class Version implements Comparable<Version> {

    private static final Pattern FORM = Pattern.compile("(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})");

    private final int major;
    private final int minor;
    private final int patch;

    private Version(int major, int minor, int patch) {
        this.major = major;
        this.minor = minor;
        this.patch = patch;
    }

    public static Version of(int major, int minor, int patch) {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new InvalidInputException("version parts cannot be negative: " + major + "." + minor + "." + patch);
        }
        return new Version(major, minor, patch);
    }

    /**
     * Parses {@code text} strictly.
     *
     * @param what what the text names, for the message ("version", "release", "CAIRN_... setting")
     * @throws InvalidInputException if the text is not of the form {@code 0.3.0}
     */
    public static Version parse(String text, String what) {
        if (text == null) {
            throw new InvalidInputException(what + " is missing: expected a version such as 0.3.0");
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new InvalidInputException("'" + Texts.printable(text) + "' is not a " + what
                    + ": expected MAJOR.MINOR.PATCH, such as 0.3.0" + hint(text));
        }
        return new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    public static Version parse(String text) {
        return parse(text, "version");
    }

    private static String hint(String text) {
        if (text.startsWith("v") || text.startsWith("V")) {
            return " (without the leading 'v')";
        }
        return "";
    }

    public boolean isAfter(Version other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Version other) {
        return compareTo(other) < 0;
    }

    public boolean isAtLeast(Version other) {
        return compareTo(other) >= 0;
    }

    public boolean isAtMost(Version other) {
        return compareTo(other) <= 0;
    }

    public static Version min(Version a, Version b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public static Version max(Version a, Version b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Version o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && v.major == major && v.minor == minor && v.patch == patch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(major, minor, patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
