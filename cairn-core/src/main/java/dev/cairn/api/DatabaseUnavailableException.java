package dev.cairn.api;

/** The database cannot be reached, or refuses the login. */
public class DatabaseUnavailableException extends CairnException {

    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message) {
        super(Kind.UNAVAILABLE, message);
    }

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
