package dev.cairn.api;

import java.util.List;
import java.util.function.Function;

/**
 * Every error Cairn reports to its users. The message is written for the person reading it:
 * what happened, why, and what to do. {@link #kind()} says which sort of error it is, so that
 * callers (and the CLI's exit status) can tell a refusal from bad input or a failure. What to do
 * is data where it is an action ({@link #remedies()}): the message holds a place for each, which
 * {@link #getMessage()} fills with the Java API's words and the command line with commands.
 */
public class CairnException extends RuntimeException {

    /** The sorts of error, in the order a caller usually cares about them. */
    public enum Kind {
        /** The input (a name, a value, a file, a version) is not acceptable; nothing changed. */
        INVALID_INPUT,
        /** Something named does not exist. */
        NOT_FOUND,
        /** Something to be created exists already. */
        ALREADY_EXISTS,
        /** The request is understood but not allowed now: versions, privileges or policy. */
        REFUSED,
        /** The configuration is wrong (a setting, the config file, the database URI). */
        CONFIGURATION,
        /** The database cannot be reached or refuses the login. */
        UNAVAILABLE,
        /** The database holds something Cairn did not write (tampered or damaged). */
        DAMAGED,
        /** Anything else went wrong while doing what was asked. */
        FAILURE
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;
    private final String template;
    private final List<Remedy> remedies;

    public CairnException(Kind kind, String message) {
        this(kind, message, List.of(), null);
    }

    public CairnException(Kind kind, String message, Throwable cause) {
        this(kind, message, List.of(), cause);
    }

    /**
     * An error whose message names remedies: {@code {0}}, {@code {1}}, ... in {@code template}
     * stand for the remedies in that order.
     */
    public CairnException(Kind kind, String template, List<Remedy> remedies, Throwable cause) {
        super(fill(template, remedies, Remedy::describe), cause);
        this.kind = kind;
        this.template = template;
        this.remedies = List.copyOf(remedies);
        for (int i = 0; i < remedies.size(); i++) {
            if (!template.contains("{" + i + "}")) {
                throw new IllegalArgumentException("the message has no place for remedy " + i + ": " + template);
            }
        }
    }

    public CairnException(String message, Throwable cause) {
        this(Kind.FAILURE, message, cause);
    }

    public final Kind kind() {
        return kind;
    }

    /** What would make it work, in the order the message names them; empty where nothing is to be done. */
    public final List<Remedy> remedies() {
        return remedies;
    }

    /** The message with each remedy in the words that {@code words} gives it (the CLI's: a command line). */
    public final String message(Function<Remedy, String> words) {
        return fill(template, remedies, words);
    }

    private static String fill(String template, List<Remedy> remedies, Function<Remedy, String> words) {
        String s = template;
        for (int i = 0; i < remedies.size(); i++) {
            s = s.replace("{" + i + "}", words.apply(remedies.get(i)));
        }
        return s;
    }
}
