package dev.cairn.localserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What this process is, on a POSIX system. */
final class Posix {

    private static final boolean ROOT = readRoot();

    private Posix() {
    }

    static boolean isRoot() {
        return ROOT;
    }

    /**
     * Whether a process has exited but not been reaped by its parent: it still has its pid, so it
     * looks alive to {@code kill(pid, 0)} and {@link ProcessHandle#isAlive()}, but holds nothing.
     */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * How many processes are attached to a System V shared memory segment: 0 if the segment is
     * gone, -1 if this system cannot tell (no {@code /proc/sysvipc/shm}).
     */
    static long sharedMemoryAttachments(long shmid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/sysvipc/shm"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        if (lines.isEmpty()) {
            return -1;
        }
        List<String> header = List.of(lines.get(0).strip().split("\\s+"));
        int id = header.indexOf("shmid");
        int attached = header.indexOf("nattch");
        if (id < 0 || attached < 0) {
            return -1;
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] columns = line.strip().split("\\s+");
            if (columns.length > Math.max(id, attached) && columns[id].equals(Long.toString(shmid))) {
                try {
                    return Long.parseLong(columns[attached]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return 0;
    }

    private static boolean readRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: not Linux
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
