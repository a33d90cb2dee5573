package io.advkit.data;

import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.stream.Stream;

/**
 * LeCun's IDX format, as MNIST and Fashion-MNIST ship it: {@code train-images-idx3-ubyte[.gz]} with
 * {@code train-labels-idx1-ubyte[.gz]}, and {@code t10k-...} for the test split. Grayscale 8-bit images, all read
 * into memory (Fashion-MNIST's 60,000 training images are 47 MB). Image i is named {@code <label>_<i>.png}, so
 * saved outputs form a flat folder advkit reads back.
 */
public final class IdxImages {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxImages() {}

    /** The images file of a split in {@code dir} ("train" or "test"/"t10k"), or null. */
    static Path imagesFile(Path dir, String split) {
        String prefix = split == null ? null : split.equals("train") ? "train" : "t10k";
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> isImagesFile(p) && (prefix == null || p.getFileName().toString().startsWith(prefix + "-")))
                    .sorted().toList();
            if (found.size() > 1 && prefix == null) {
                throw UserError.invalid("split", dir + ": holds the IDX splits " + found.stream().map(p -> p.getFileName().toString()).toList()
                        + "; choose one (train or test)");
            }
            return found.isEmpty() ? null : found.get(0);
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isImagesFile(Path p) {
        return p.getFileName().toString().matches(".*-images-idx3-ubyte(\\.gz)?") && Files.isRegularFile(p);
    }

    static boolean containsIdx(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(IdxImages::isImagesFile);
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads an images file and the labels file beside it. */
    public static DecodedImages open(Path images, List<String> classNames) {
        String name = images.getFileName().toString();
        Path labels = images.resolveSibling(name.replace("-images-idx3-", "-labels-idx1-"));
        if (!Files.isRegularFile(labels)) {
            throw new UserError(images + ": no labels file beside it (expected " + labels.getFileName() + ")");
        }
        byte[] px;
        int n;
        int h;
        int w;
        try (DataInputStream in = stream(images)) {
            if (in.readInt() != IMAGES_MAGIC) {
                throw new UserError(images + ": not an IDX file of 8-bit images (magic number 0x00000803)");
            }
            n = in.readInt();
            h = in.readInt();
            w = in.readInt();
            if (n <= 0 || h <= 0 || w <= 0 || (long) n * h * w > Integer.MAX_VALUE - 8) {
                throw new UserError(images + ": implausible dimensions " + n + "x" + h + "x" + w);
            }
            px = new byte[n * h * w];
            in.readFully(px);
        } catch (EOFException e) {
            throw new UserError(images + ": the data ends too early; truncated?");
        } catch (IOException e) {
            throw new UserError(images + ": cannot read (" + Errors.describe(e) + ")");
        }
        byte[] lb;
        try (DataInputStream in = stream(labels)) {
            if (in.readInt() != LABELS_MAGIC) {
                throw new UserError(labels + ": not an IDX label file (magic number 0x00000801)");
            }
            int count = in.readInt();
            if (count != n) {
                throw new UserError(labels + ": " + count + " labels for " + n + " images");
            }
            lb = new byte[n];
            in.readFully(lb);
        } catch (EOFException e) {
            throw new UserError(labels + ": the data ends too early; truncated?");
        } catch (IOException e) {
            throw new UserError(labels + ": cannot read (" + Errors.describe(e) + ")");
        }
        int[] label = new int[n];
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            label[i] = lb[i] & 0xFF;
            if (!classNames.isEmpty() && label[i] >= classNames.size()) {
                throw new UserError(labels + ": label " + label[i] + " but the names file lists only " + classNames.size() + " classes");
            }
            names.add(label[i] + "_" + i + ".png");
        }
        return new DecodedImages(names, label, w, h, 1, px, classNames, images.toString());
    }

    private static DataInputStream stream(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }
}
