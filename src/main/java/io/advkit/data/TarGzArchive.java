package io.advkit.data;

import io.advkit.util.UserError;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@code .tar.gz} image datasets, used two ways: unpacked once into a cache folder (later runs open
 * the folder at once), or streamed straight into {@link DecodedImages} without touching the disk.
 */
public final class TarGzArchive {
    private TarGzArchive() {}

    public static boolean isTarGz(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    /**
     * Unpacks {@code archive} under {@code cacheRoot} unless an earlier run already did, and returns the
     * unpacked folder. Unpacking goes to a temporary folder renamed at the end, so a killed run never
     * leaves a half-unpacked cache that a later run would trust.
     */
    public static Path unpackToCache(Path archive, Path cacheRoot) {
        if (!Files.isRegularFile(archive)) {
            throw new UserError(archive + ": no such file");
        }
        Path target = cacheRoot.resolve(stem(archive) + "-" + fingerprint(archive));
        if (Files.isDirectory(target)) {
            return target;
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, ".unpack-");
            try (TarArchiveInputStream tar = open(archive)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path out = safeResolve(tmp, e.getName(), archive);
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (e.isFile()) {
                        Files.createDirectories(out.getParent());
                        try (OutputStream os = Files.newOutputStream(out)) {
                            tar.transferTo(os);
                        }
                    }
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException
                     | java.nio.file.DirectoryNotEmptyException raced) {
                deleteTree(tmp); // another process finished first; its copy is as good as ours
            }
            return target;
        } catch (IOException e) {
            throw new UserError(archive + ": cannot unpack (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    /**
     * Decodes every image below {@code folder} inside the archive (e.g. "cifar10-jpg/train"), labelled by
     * the sub-folder it sits in; classes are ordered by {@code classNames} if given, else alphabetically.
     */
    public static DecodedImages readImages(Path archive, String folder, List<String> classNames) {
        String prefix = folder.endsWith("/") ? folder : folder + "/";
        Map<String, Map<String, Image>> byClass = new TreeMap<>();
        try (TarArchiveInputStream tar = open(archive)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (!e.isFile() || !name.startsWith(prefix) || !ImageFolder.isImageFile(Path.of(name))) {
                    continue;
                }
                String rest = name.substring(prefix.length());
                int slash = rest.indexOf('/');
                if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
                    continue; // only <class>/<file>
                }
                byte[] bytes = tar.readAllBytes();
                byClass.computeIfAbsent(rest.substring(0, slash), k -> new TreeMap<>(ImageFolder::naturalOrder))
                        .put(rest, ImageCodec.decode(bytes, archive + "!" + name));
            }
        } catch (IOException ex) {
            throw new UserError(archive + ": cannot read (" + io.advkit.util.Errors.describe(ex) + ")");
        }
        if (byClass.isEmpty()) {
            throw new UserError(archive + ": no images under '" + prefix + "<class>/'");
        }
        List<String> classes = classNames.isEmpty() ? List.copyOf(byClass.keySet()) : classNames;
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Image> images = new ArrayList<>();
        for (String cls : classes) {
            Map<String, Image> files = byClass.getOrDefault(cls, Map.of());
            files.forEach((n, img) -> {
                names.add(n);
                labels.add(classes.indexOf(cls));
                images.add(img);
            });
        }
        for (String cls : byClass.keySet()) {
            if (!classes.contains(cls)) {
                throw new UserError(archive + "!" + prefix + cls + ": class folder is not in the names file");
            }
        }
        Image first = images.get(0);
        int stride = first.pixels().length;
        byte[] pixels = new byte[images.size() * stride];
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            if (img.width() != first.width() || img.height() != first.height() || img.channels() != first.channels()) {
                throw new UserError(archive + "!" + prefix + names.get(i) + ": image is " + img.width() + "x"
                        + img.height() + " " + img.kind() + " but the others are " + first.width() + "x" + first.height() + " " + first.kind());
            }
            System.arraycopy(img.pixels(), 0, pixels, i * stride, stride);
        }
        return new DecodedImages(names, labels.stream().mapToInt(Integer::intValue).toArray(),
                first.width(), first.height(), first.channels(), pixels, classes, archive + "!" + prefix);
    }

    private static TarArchiveInputStream open(Path archive) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        return new TarArchiveInputStream(new GZIPInputStream(in, 1 << 16));
    }

    /** Refuses entries that would land outside the target ("../", absolute paths): a tar-slip guard. */
    private static Path safeResolve(Path dir, String entry, Path archive) {
        Path out = dir.resolve(entry).normalize();
        if (!out.startsWith(dir)) {
            throw new UserError(archive + ": entry '" + entry + "' points outside the archive's folder; refusing to unpack");
        }
        return out;
    }

    private static String stem(Path archive) {
        return archive.getFileName().toString().replaceFirst("\\.(tar\\.gz|tgz)$", "");
    }

    /**
     * Identifies the archive's content cheaply: its size and the hash of its first and last MiB. The last bytes
     * of a gzip stream are the CRC-32 and length of everything it holds, so a changed archive changes them.
     * The modification time is left out: a copy, a re-download or a re-mounted share changes it, and a
     * fingerprint that followed it unpacked the same 50,000 images again each time, a new folder every time.
     */
    static String fingerprint(Path archive) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(archive)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long size = ch.size();
            md.update((size + ":").getBytes(StandardCharsets.UTF_8));
            int chunk = 1 << 20;
            md.update(read(ch, 0, (int) Math.min(chunk, size)));
            md.update(read(ch, Math.max(0, size - chunk), (int) Math.min(chunk, size)));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new UserError(archive + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    private static java.nio.ByteBuffer read(java.nio.channels.FileChannel ch, long at, int n) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // a read may return fewer bytes than asked
        }
        return b.flip();
    }

    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
