package dev.cairn.api;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Sample ids: time-ordered UUIDs (version 7, RFC 9562), so that samples stored in id order come
 * back in the order they were made, without a second index.
 */
public final class SampleIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static long sequence;

    private SampleIds() {
    }

    /** A new id, greater than every id this process made before. */
    public static synchronized String next() {
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            sequence = RANDOM.nextInt(1 << 11);
        } else if (++sequence >= (1 << 12)) {
            lastMillis++;
            sequence = 0;
        }
        long msb = (lastMillis << 16) | 0x7000L | sequence;
        long lsb = (RANDOM.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** The id in canonical form, or an exception if it is not a UUID. */
    public static String check(String id) {
        if (id == null || id.length() != 36) {
            throw new InvalidInputException(Texts.quoted(String.valueOf(id)) + " is not a sample id (a UUID such as "
                    + "0190b5a4-5d2e-7c3a-9f10-6a2b3c4d5e6f)");
        }
        try {
            return UUID.fromString(id).toString().equals(id.toLowerCase(java.util.Locale.ROOT))
                    ? id.toLowerCase(java.util.Locale.ROOT) : fail(id);
        } catch (IllegalArgumentException e) {
            return fail(id);
        }
    }

    private static String fail(String id) {
        throw new InvalidInputException(Texts.quoted(id) + " is not a sample id (a UUID such as "
                + "0190b5a4-5d2e-7c3a-9f10-6a2b3c4d5e6f)");
    }
}
