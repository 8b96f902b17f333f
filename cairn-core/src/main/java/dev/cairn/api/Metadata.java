package dev.cairn.api;

/**
 * What is known of a sample's media file. Every part is optional.
 *
 * @param width     in pixels
 * @param height    in pixels
 * @param sizeBytes the file's size
 * @param mimeType  such as {@code image/jpeg}
 */
public record Metadata(Integer width, Integer height, Long sizeBytes, String mimeType) {

    public static final Metadata EMPTY = new Metadata(null, null, null, null);

    public Metadata {
        if (width != null && width < 0 || height != null && height < 0) {
            throw new InvalidInputException("an image's width and height cannot be negative (" + width + " x " + height + ")");
        }
        if (sizeBytes != null && sizeBytes < 0) {
            throw new InvalidInputException("a file's size cannot be negative (" + sizeBytes + " bytes)");
        }
        if (mimeType != null && !mimeType.matches("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")) {
            throw new InvalidInputException(Texts.quoted(mimeType) + " is not a MIME type such as image/jpeg");
        }
    }

    public static Metadata image(int width, int height, long sizeBytes, String mimeType) {
        return new Metadata(width, height, sizeBytes, mimeType);
    }

    public boolean isEmpty() {
        return width == null && height == null && sizeBytes == null && mimeType == null;
    }
}
