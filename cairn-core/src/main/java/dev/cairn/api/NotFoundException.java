package dev.cairn.api;

/** Something named (a dataset, a sample, a field, a release) does not exist. */
public class NotFoundException extends CairnException {

    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(Kind.NOT_FOUND, message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(Kind.NOT_FOUND, message, cause);
    }
}
