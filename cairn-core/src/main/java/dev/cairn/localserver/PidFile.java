package dev.cairn.localserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * PostgreSQL's {@code postmaster.pid}: the running server's process id, start time, port,
 * shared memory segment and state, one per line, as PostgreSQL documents them.
 *
 * <p>The file outlives a postmaster that was killed, so its pid alone proves nothing: the process
 * may be gone, a zombie that nobody has reaped yet, or another process that got the same pid.
 */
record PidFile(long pid, Instant startedAt, int port, OptionalLong sharedMemoryId, String state) {

    /** How far the process's start may lie from the start the postmaster wrote (whole seconds, then its set-up). */
    private static final Duration SAME_START = Duration.ofSeconds(5);

    static Optional<PidFile> read(Path dataDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0).strip());
            Instant started = Instant.ofEpochSecond(Long.parseLong(lines.get(2).strip()));
            int port = Integer.parseInt(lines.get(3).strip());
            String state = lines.size() >= 8 ? lines.get(7).strip() : "";
            return Optional.of(new PidFile(pid, started, port, sharedMemoryId(lines), state));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The System V segment's id, the second number of the seventh line ("key id"). */
    private static OptionalLong sharedMemoryId(List<String> lines) {
        if (lines.size() < 7) {
            return OptionalLong.empty();
        }
        String[] parts = lines.get(6).strip().split("\\s+");
        try {
            return parts.length == 2 ? OptionalLong.of(Long.parseLong(parts[1])) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    boolean ready() {
        return state.equals("ready");
    }

    /** Whether the postmaster that wrote this file still runs: a live process, not a zombie, started when it did. */
    boolean alive() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || Posix.isZombie(pid)) {
            return false;
        }
        return process.get().info().startInstant()
                .map(s -> Duration.between(s, startedAt).abs().compareTo(SAME_START) <= 0)
                .orElse(true);
    }
}
