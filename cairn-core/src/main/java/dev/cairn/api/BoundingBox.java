package dev.cairn.api;

/**
 * A box in an image, relative to the image's size: the top-left corner {@code (x, y)} and the
 * width and height, each from 0 to 1. Written as {@code [x, y, w, h]} in JSON.
 */
public record BoundingBox(double x, double y, double width, double height) {

    public BoundingBox {
        x += 0.0;
        y += 0.0;
        width += 0.0;
        height += 0.0;
        check("x", x);
        check("y", y);
        check("width", width);
        check("height", height);
    }

    private static void check(String what, double v) {
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new InvalidInputException("a bounding box's " + what + " is relative to the image and lies between"
                    + " 0 and 1, not " + v);
        }
    }

    public static BoundingBox of(double x, double y, double width, double height) {
        return new BoundingBox(x, y, width, height);
    }
}
