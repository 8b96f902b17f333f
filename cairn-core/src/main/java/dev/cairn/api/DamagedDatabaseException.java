package dev.cairn.api;

/** The database holds something Cairn did not write: its records were tampered with or damaged. Cairn refuses to work on it rather than guess; nothing was changed. */
public class DamagedDatabaseException extends CairnException {

    private static final long serialVersionUID = 1L;

    public DamagedDatabaseException(String message) {
        super(Kind.DAMAGED, message);
    }

    public DamagedDatabaseException(String message, Throwable cause) {
        super(Kind.DAMAGED, message, cause);
    }
}
