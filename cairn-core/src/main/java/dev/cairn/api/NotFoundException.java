package dev.cairn.api;

import java.util.List;

/** Something named (a dataset, a sample, a field, a release) does not exist. */
public class NotFoundException extends CairnException {

    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(Kind.NOT_FOUND, message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(Kind.NOT_FOUND, message, cause);
    }

    /** A message with places for remedies: see {@link CairnException#CairnException(Kind, String, List, Throwable)}. */
    public NotFoundException(String template, List<Remedy> remedies) {
        super(Kind.NOT_FOUND, template, remedies, null);
    }

    public NotFoundException(String template, List<Remedy> remedies, Throwable cause) {
        super(Kind.NOT_FOUND, template, remedies, cause);
    }
}
