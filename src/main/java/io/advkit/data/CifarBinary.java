package io.advkit.data;

import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The official CIFAR binary format. CIFAR-10 files ({@code data_batch_N.bin}, {@code test_batch.bin})
 * hold records of 1 label byte + 3072 pixel bytes; CIFAR-100 files ({@code train.bin}, {@code test.bin})
 * hold a coarse and a fine label byte + 3072 bytes. Pixels are channel-major: 1024 R, 1024 G, 1024 B.
 * Records are read on demand by position, so a 50,000-image file costs no pixel memory.
 * Image names are {@code <label>_<index>.png}, so a saved copy is a flat folder with the same labels.
 */
public final class CifarBinary implements ImageSet, AutoCloseable {
    private static final int SIDE = 32;
    private static final int PIXELS = SIDE * SIDE * 3;

    private record Part(Path file, FileChannel channel, int records, int first) {}

    private final List<Part> parts;
    private final int labelBytes;
    private final int size;
    private final List<String> classNames;
    private final String description;

    private CifarBinary(List<Part> parts, int labelBytes, List<String> classNames, String description) {
        this.parts = parts;
        this.labelBytes = labelBytes;
        this.size = parts.stream().mapToInt(Part::records).sum();
        this.classNames = classNames;
        this.description = description;
    }

    /** True for the file names the CIFAR binary distributions use. */
    public static boolean isCifarBinary(Path p) {
        String n = p.getFileName().toString();
        return n.matches("data_batch_\\d+\\.bin|test_batch\\.bin|train\\.bin|test\\.bin");
    }

    /**
     * Opens one {@code .bin} file, or a folder with {@code split} "train" or "test" (CIFAR-10's five
     * data batches or test batch; CIFAR-100's train.bin or test.bin).
     */
    public static CifarBinary open(Path path, String split) {
        List<Path> files = new ArrayList<>();
        Path dir;
        if (Files.isDirectory(path)) {
            dir = path;
            boolean train = split == null || split.equals("train");
            if (Files.exists(dir.resolve("train.bin")) || Files.exists(dir.resolve("test.bin"))) {
                files.add(dir.resolve(train ? "train.bin" : "test.bin"));
            } else if (train) {
                for (int i = 1; Files.exists(dir.resolve("data_batch_" + i + ".bin")); i++) {
                    files.add(dir.resolve("data_batch_" + i + ".bin"));
                }
            } else {
                files.add(dir.resolve("test_batch.bin"));
            }
            if (files.isEmpty() || !Files.exists(files.get(0))) {
                throw new UserError(path + ": no CIFAR binary files for split '" + (train ? "train" : "test") + "'");
            }
        } else {
            dir = path.toAbsolutePath().getParent();
            files.add(path);
        }
        int labelBytes = files.get(0).getFileName().toString().matches("(train|test)\\.bin") ? 2 : 1;
        int record = labelBytes + PIXELS;
        List<Part> parts = new ArrayList<>();
        int first = 0;
        for (Path f : files) {
            try {
                FileChannel ch = FileChannel.open(io.advkit.util.LocalFiles.local(f), StandardOpenOption.READ); // positional reads
                long len = ch.size();
                if (len == 0 || len % record != 0) {
                    ch.close();
                    throw new UserError(f + ": " + len + " bytes is not a whole number of CIFAR-"
                            + (labelBytes == 1 ? "10" : "100") + " records of " + record + " bytes");
                }
                parts.add(new Part(f, ch, (int) (len / record), first));
                first += (int) (len / record);
            } catch (IOException e) {
                throw new UserError(f + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
            }
        }
        Path names = dir.resolve(labelBytes == 1 ? "batches.meta.txt" : "fine_label_names.txt");
        List<String> classNames = Files.exists(names) ? ClassNames.read(names) : List.of();
        return new CifarBinary(parts, labelBytes, classNames, path.toString());
    }

    private ByteBuffer record(int i) {
        for (Part p : parts) {
            if (i < p.first + p.records) {
                int recordLen = labelBytes + PIXELS;
                ByteBuffer buf = ByteBuffer.allocate(recordLen);
                long pos = (long) (i - p.first) * recordLen;
                try {
                    while (buf.hasRemaining()) {
                        if (p.channel.read(buf, pos + buf.position()) < 0) {
                            throw new UserError(p.file + ": file ended inside record " + (i - p.first));
                        }
                    }
                } catch (IOException e) {
                    throw new UserError(p.file + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
                }
                return buf.flip();
            }
        }
        throw new IndexOutOfBoundsException(i);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String name(int i) {
        return label(i) + "_" + i + ".png";
    }

    @Override
    public int label(int i) {
        // CIFAR-100: the second byte is the fine label (0..99), the one everyone classifies
        return record(i).get(labelBytes - 1) & 0xFF;
    }

    @Override
    public Image image(int i) {
        ByteBuffer r = record(i);
        byte[] rgb = new byte[PIXELS];
        int plane = SIDE * SIDE;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * p + c] = r.get(labelBytes + c * plane + p);
            }
        }
        return new Image(SIDE, SIDE, rgb);
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        for (Part p : parts) {
            try {
                p.channel.close();
            } catch (IOException ignored) {
                // closing a read-only channel cannot lose data
            }
        }
    }
}
