package dev.cairn.cli;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;

/**
 * Readies, on a second thread, the cryptography a database login needs (SCRAM: HMAC-SHA-256,
 * PBKDF2, SHA-256, a random nonce), while the command's own thread reads its configuration and data
 * model: the security providers' first use costs a short command a fifth of its start, and on two
 * processors it overlaps with the rest. Nothing else is touched, so the two threads never wait on
 * each other's class initialisation the way a JDBC driver and {@code DriverManager} can.
 */
final class Warmup {

    private Warmup() {
    }

    static void start() {
        Thread t = new Thread(Warmup::ready, "cairn-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void ready() {
        try {
            Mac.getInstance("HmacSHA256");
            SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            MessageDigest.getInstance("SHA-256");
            new SecureRandom().nextBytes(new byte[18]);
        } catch (GeneralSecurityException | RuntimeException e) {
            // the login itself will say what is missing; a warm-up has nothing to report
        }
    }
}
