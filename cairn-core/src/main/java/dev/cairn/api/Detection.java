package dev.cairn.api;

import java.util.Map;

/**
 * One object found in an image.
 *
 * @param label       the object's class, not empty
 * @param boundingBox where it is, relative to the image
 * @param confidence  a finite score, or {@code null} for ground truth
 * @param attributes  further JSON values about the object (occluded, crowd, ...), never null
 */
public record Detection(String label, BoundingBox boundingBox, Double confidence, Map<String, Object> attributes) {

    public Detection {
        Labels.checkLabel(label);
        if (boundingBox == null) {
            throw new InvalidInputException("the detection '" + Texts.printable(label) + "' has no bounding box");
        }
        Labels.checkConfidence(confidence);
        confidence = confidence == null ? null : confidence + 0.0;
        attributes = attributes == null ? Map.of() : Values.jsonObject(attributes, "a detection's attributes");
    }

    public static Detection of(String label, BoundingBox box) {
        return new Detection(label, box, null, Map.of());
    }

    public static Detection of(String label, BoundingBox box, double confidence) {
        return new Detection(label, box, confidence, Map.of());
    }
}
