package dev.cairn.api;

/** The input (a name, a value, a file, a version) is not acceptable; nothing was changed. */
public class InvalidInputException extends CairnException {

    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(Kind.INVALID_INPUT, message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(Kind.INVALID_INPUT, message, cause);
    }
}
