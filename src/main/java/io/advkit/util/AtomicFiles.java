package io.advkit.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes that readers never see half done, even when the JVM is killed mid-write: the bytes go to a temporary
 * file in the same folder, which is then renamed over the target in one step.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path file, byte[] bytes) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".advkit-", ".part");
            try {
                try (OutputStream os = Files.newOutputStream(tmp)) {
                    os.write(bytes);
                }
                try { // createTempFile makes the file private; results are ordinary files, readable by others
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: keep its defaults
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp); // only left when the move failed
            }
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + Errors.describe(e) + ")");
        }
    }

    public static void writeString(Path file, String text) {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
