package dev.cairn.api;

/** The checks that labels share. */
final class Labels {

    static final int MAX_LABEL_LENGTH = 1000;

    private Labels() {
    }

    static void checkLabel(String label) {
        if (label == null || label.isEmpty()) {
            throw new InvalidInputException("a label's class cannot be empty");
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            throw new InvalidInputException("the label " + Texts.quoted(label) + " is too long: at most "
                    + MAX_LABEL_LENGTH + " characters");
        }
        if (label.indexOf('\0') >= 0) {
            throw new InvalidInputException("the label " + Texts.quoted(label) + " contains a NUL character, which"
                    + " PostgreSQL cannot store");
        }
    }

    static void checkConfidence(Double confidence) {
        if (confidence != null && !Double.isFinite(confidence)) {
            throw new InvalidInputException("a confidence must be a finite number, not " + confidence);
        }
    }
}
