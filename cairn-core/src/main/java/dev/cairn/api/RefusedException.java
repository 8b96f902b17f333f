package dev.cairn.api;

import java.util.List;

/**
 * The request was understood but is not allowed now, because of versions, privileges or the
 * database's policy. A refusal happens before anything is written; its message names both
 * versions where versions are the reason, and the command or release that would make it work.
 */
public class RefusedException extends CairnException {

    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
        super(Kind.REFUSED, message);
    }

    public RefusedException(String message, Throwable cause) {
        super(Kind.REFUSED, message, cause);
    }

    /** A message with places for remedies: see {@link CairnException#CairnException(Kind, String, List, Throwable)}. */
    public RefusedException(String template, List<Remedy> remedies) {
        super(Kind.REFUSED, template, remedies, null);
    }

    public RefusedException(String template, List<Remedy> remedies, Throwable cause) {
        super(Kind.REFUSED, template, remedies, cause);
    }
}
