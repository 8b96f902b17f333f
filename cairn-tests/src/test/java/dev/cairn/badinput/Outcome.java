package dev.cairn.badinput;

import dev.cairn.api.CairnException;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What one bad input did: through the command line, its exit status and what it printed; through
 * the Java API, the {@link CairnException} it threw (or whatever else it threw, or that it did not
 * throw at all).
 */
public final class Outcome {

    /** The way in: the {@code cairn} command, or the Java API. */
    public enum Via { CLI, API }

    private final Via via;
    private final int exit;
    private final CairnException.Kind kind;
    private final String message;
    private final String output;
    private final Throwable unexpected;

    private Outcome(Via via, int exit, CairnException.Kind kind, String message, String output, Throwable unexpected) {
        this.via = via;
        this.exit = exit;
        this.kind = kind;
        this.message = message == null ? "" : message;
        this.output = output == null ? "" : output;
        this.unexpected = unexpected;
    }

    static Outcome cli(int exit, String out, String err) {
        return new Outcome(Via.CLI, exit, null, err, out, null);
    }

    static Outcome returned() {
        return new Outcome(Via.API, 0, null, "", "", null);
    }

    static Outcome threw(Throwable t) {
        if (t instanceof CairnException c) {
            return new Outcome(Via.API, 1, c.kind(), c.getMessage(), "", null);
        }
        return new Outcome(Via.API, 1, null, String.valueOf(t.getMessage()), "", t);
    }

    public Via via() {
        return via;
    }

    /** Whether it went through without an error: exit 0, or no exception. */
    public boolean succeeded() {
        return via == Via.CLI ? exit == 0 : kind == null && unexpected == null;
    }

    /** The exit status (command line only). */
    public int exit() {
        return exit;
    }

    /** The kind of the {@link CairnException} thrown (Java API only), or {@code null}. */
    public CairnException.Kind kind() {
        return kind;
    }

    /** What the user is told: standard error, or the exception's message. */
    public String message() {
        return message;
    }

    /** Standard output (command line only). */
    public String output() {
        return output;
    }

    /** A throwable that is not a {@link CairnException}, if one was thrown. */
    public Throwable unexpected() {
        return unexpected;
    }

    @Override
    public String toString() {
        if (via == Via.CLI) {
            return "exit " + exit + "\n--- stdout\n" + cut(output) + "\n--- stderr\n" + cut(message);
        }
        if (unexpected != null) {
            StringWriter w = new StringWriter();
            unexpected.printStackTrace(new PrintWriter(w));
            return "threw " + cut(w.toString());
        }
        return kind == null ? "returned normally" : "threw CairnException " + kind + ": " + cut(message);
    }

    private static String cut(String s) {
        return s.length() > 3000 ? s.substring(0, 3000) + "… (" + s.length() + " characters)" : s;
    }
}
