package dev.cairn.cli;

import dev.cairn.api.CairnException;

/** The CLI's exit statuses: each sort of outcome has its own, so that scripts can tell them apart. */
final class ExitCodes {

    static final int OK = 0;
    /** Something failed while doing what was asked (or only part of it was done). */
    static final int FAILED = 1;
    /** The command line is wrong: an unknown option, a missing argument. */
    static final int USAGE = 2;
    /** Refused: versions, privileges or policy do not allow it; nothing was changed. */
    static final int REFUSED = 3;
    /** Bad input: a name, value, file or version that cannot be used, or something that does not exist. */
    static final int INVALID_INPUT = 4;
    /** The configuration is wrong, or the database cannot be reached. */
    static final int ENVIRONMENT = 5;
    /** The database holds something Cairn did not write (tampered or damaged). */
    static final int DAMAGED = 6;

    static final String FOOTER = """

            Exit status: 0 done; 1 failed; 2 wrong command line; 3 refused (versions, privileges \
            or policy; nothing changed); 4 bad input or not found (nothing changed); 5 configuration \
            wrong or database unreachable; 6 database damaged or tampered with.""";

    private ExitCodes() {
    }

    static int of(CairnException e) {
        return switch (e.kind()) {
            case INVALID_INPUT, NOT_FOUND, ALREADY_EXISTS -> INVALID_INPUT;
            case REFUSED -> REFUSED;
            case CONFIGURATION, UNAVAILABLE -> ENVIRONMENT;
            case DAMAGED -> DAMAGED;
            case FAILURE -> FAILED;
        };
    }
}
