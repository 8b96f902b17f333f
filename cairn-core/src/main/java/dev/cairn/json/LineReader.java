package dev.cairn.json;

import dev.cairn.api.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a UTF-8 text stream line by line, knowing each line's number and how many bytes have been
 * read, refusing bytes that are not UTF-8 and lines too long to hold in memory.
 */
final class LineReader implements AutoCloseable {

    static final int MAX_LINE_BYTES = 64 << 20;

    private final InputStream in;
    private final String source;
    private final byte[] buffer = new byte[1 << 16];
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private int position;
    private int limit;
    private long bytesRead;
    private long lineNumber;
    private byte[] line = new byte[1 << 12];

    LineReader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The next line without its end, or {@code null} at the end of the stream. */
    String next() throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            byte b = buffer[position++];
            bytesRead++;
            if (b == '\n') {
                break;
            }
            if (length == line.length) {
                if (length >= MAX_LINE_BYTES) {
                    throw new InvalidInputException(source + " line " + (lineNumber + 1) + " is longer than "
                            + (MAX_LINE_BYTES >> 20) + " MB; is this a Cairn JSON Lines file?");
                }
                line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE_BYTES + 1, length * 2));
            }
            line[length++] = b;
        }
        lineNumber++;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        int start = 0;
        if (lineNumber == 1 && length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
            start = 3;
        }
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(line, start, length - start));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(source + " line " + lineNumber + " is not UTF-8 text");
        }
    }

    long lineNumber() {
        return lineNumber;
    }

    long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
