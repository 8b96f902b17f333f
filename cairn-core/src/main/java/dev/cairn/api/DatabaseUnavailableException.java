package dev.cairn.api;

import java.util.List;

/** The database cannot be reached, or refuses the login. */
public class DatabaseUnavailableException extends CairnException {

    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message) {
        super(Kind.UNAVAILABLE, message);
    }

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }

    /** A message with places for remedies: see {@link CairnException#CairnException(Kind, String, List, Throwable)}. */
    public DatabaseUnavailableException(String template, List<Remedy> remedies) {
        super(Kind.UNAVAILABLE, template, remedies, null);
    }

    public DatabaseUnavailableException(String template, List<Remedy> remedies, Throwable cause) {
        super(Kind.UNAVAILABLE, template, remedies, cause);
    }
}
