package dev.cairn.api;

import java.util.List;

/** The objects found in one image; possibly none. */
public record Detections(List<Detection> detections) {

    public Detections {
        if (detections == null) {
            detections = List.of();
        }
        for (Detection d : detections) {
            if (d == null) {
                throw new InvalidInputException("a Detections label cannot hold a null detection");
            }
        }
        detections = List.copyOf(detections);
    }

    public static Detections of(Detection... detections) {
        return new Detections(List.of(detections));
    }
}
