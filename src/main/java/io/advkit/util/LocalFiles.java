package io.advkit.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local copy of a file that lives on another file system (hdfs://, s3a://), for the readers that need a
 * java.io.File: zip files (model files, PyTorch checkpoints), the engines' model loaders, positional reads of CIFAR
 * binaries. Local files are returned as they are. A copy is made once per process for each version of a file (its
 * URI, size and modification time) and deleted when the process exits.
 */
public final class LocalFiles {
    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

    private LocalFiles() {}

    public static Path local(Path file) {
        if (file.getFileSystem() == FileSystems.getDefault()) {
            return file;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            String version = file.toUri() + "@" + a.size() + ":" + a.lastModifiedTime().toMillis();
            return COPIES.computeIfAbsent(version, v -> copy(file));
        } catch (IOException | UncheckedIOException e) {
            throw new UserError(file + ": cannot read (" + Errors.describe(e instanceof UncheckedIOException u ? u.getCause() : e) + ")");
        }
    }

    /** Into a folder of its own, under the file's own name: loaders may look at the extension. */
    private static Path copy(Path file) {
        try {
            Path dir = Files.createTempDirectory("advkit-local-");
            Path copy = dir.resolve(file.getFileName().toString());
            try (InputStream in = Files.newInputStream(file)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            copy.toFile().deleteOnExit();
            dir.toFile().deleteOnExit(); // deleted after the file (in reverse order of registration)
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
