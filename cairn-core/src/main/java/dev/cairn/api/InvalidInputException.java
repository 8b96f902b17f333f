package dev.cairn.api;

import java.util.List;

/** The input (a name, a value, a file, a version) is not acceptable; nothing was changed. */
public class InvalidInputException extends CairnException {

    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(Kind.INVALID_INPUT, message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(Kind.INVALID_INPUT, message, cause);
    }

    /** A message with places for remedies: see {@link CairnException#CairnException(Kind, String, List, Throwable)}. */
    public InvalidInputException(String template, List<Remedy> remedies) {
        super(Kind.INVALID_INPUT, template, remedies, null);
    }

    public InvalidInputException(String template, List<Remedy> remedies, Throwable cause) {
        super(Kind.INVALID_INPUT, template, remedies, cause);
    }
}
