package dev.cairn.api;

/**
 * Every error Cairn reports to its users. The message is written for the person reading it:
 * what happened, why, and what to do. {@link #kind()} says which sort of error it is, so that
 * callers (and the CLI's exit status) can tell a refusal from bad input or a failure.
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

    public CairnException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CairnException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public CairnException(String message, Throwable cause) {
        this(Kind.FAILURE, message, cause);
    }

    public final Kind kind() {
        return kind;
    }
}
