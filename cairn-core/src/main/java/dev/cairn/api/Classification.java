package dev.cairn.api;

/**
 * A whole-image label: the class and, if known, the model's confidence in it.
 *
 * @param label      the class, not empty
 * @param confidence a finite score, or {@code null} when the label has none (ground truth)
 */
public record Classification(String label, Double confidence) {

    public Classification {
        Labels.checkLabel(label);
        Labels.checkConfidence(confidence);
        confidence = confidence == null ? null : confidence + 0.0;
    }

    public static Classification of(String label) {
        return new Classification(label, null);
    }

    public static Classification of(String label, double confidence) {
        return new Classification(label, confidence);
    }
}
