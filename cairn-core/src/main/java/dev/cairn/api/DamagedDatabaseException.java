package dev.cairn.api;

import java.util.List;

/** The database holds something Cairn did not write: its records were tampered with or damaged. Cairn refuses to work on it rather than guess; nothing was changed. */
public class DamagedDatabaseException extends CairnException {

    private static final long serialVersionUID = 1L;

    public DamagedDatabaseException(String message) {
        super(Kind.DAMAGED, message);
    }

    public DamagedDatabaseException(String message, Throwable cause) {
        super(Kind.DAMAGED, message, cause);
    }

    /** A message with places for remedies: see {@link CairnException#CairnException(Kind, String, List, Throwable)}. */
    public DamagedDatabaseException(String template, List<Remedy> remedies, Throwable cause) {
        super(Kind.DAMAGED, template, remedies, cause);
    }
}
