package dev.cairn.api;

/** Something to be created (a dataset, a field) exists already; nothing was changed. */
public class AlreadyExistsException extends CairnException {

    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(Kind.ALREADY_EXISTS, message);
    }

    public AlreadyExistsException(String message, Throwable cause) {
        super(Kind.ALREADY_EXISTS, message, cause);
    }
}
