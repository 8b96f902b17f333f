package dev.cairn.localserver;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file, held across processes (the operating system's file lock, which
 * dies with its process) and across threads of this process (a file lock alone would throw
 * there).
 */
final class FileLocks {

    /** Work done under a lock. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException, InterruptedException;
    }

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /**
     * Runs {@code work} holding the lock on {@code lockFile}; if another process holds it,
     * {@code onWait} runs once before waiting.
     */
    static <T> T withLock(Path lockFile, Runnable onWait, Work<T> work) throws IOException, InterruptedException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock threads = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        threads.lockInterruptibly();
        try {
            Files.createDirectories(key.getParent());
            try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    onWait.run();
                    lock = channel.lock();
                }
                try {
                    return work.run();
                } finally {
                    lock.release();
                }
            }
        } finally {
            threads.unlock();
        }
    }
}
