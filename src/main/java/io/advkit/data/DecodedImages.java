package io.advkit.data;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Images decoded once and held as 8-bit pixels: 3 KB per CIFAR image, so all 50,000 training images
 * take 150 MB, where float arrays would take 600 MB. Training reads its batches from here. RGB or grayscale.
 */
public final class DecodedImages implements ImageSet {
    private final List<String> names;
    private final int[] labels;
    private final int width;
    private final int height;
    private final int channels;
    private final byte[] pixels; // N × H × W × C
    private final List<String> classNames;
    private final String description;

    public DecodedImages(List<String> names, int[] labels, int width, int height, int channels, byte[] pixels,
                         List<String> classNames, String description) {
        if (pixels.length != (long) names.size() * width * height * channels || labels.length != names.size()) {
            throw new IllegalArgumentException("pixel, label and name counts disagree");
        }
        this.names = List.copyOf(names);
        this.labels = labels;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.pixels = pixels;
        this.classNames = classNames;
        this.description = description;
    }

    /** Decodes every image of {@code source} (in parallel); {@code onImage} is told each index done. */
    public static DecodedImages decode(ImageSet source, IntConsumer onImage) {
        int n = source.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty image set");
        }
        Image first = source.image(0);
        int w = first.width();
        int h = first.height();
        int stride = w * h * first.channels();
        byte[] pixels = new byte[Math.multiplyExact(n, stride)];
        AtomicInteger done = new AtomicInteger();
        IntStream.range(0, n).parallel().forEach(i -> {
            Image img = i == 0 ? first : source.image(i);
            Batches.requireSize(img, first, source, i);
            System.arraycopy(img.pixels(), 0, pixels, i * stride, stride);
            onImage.accept(done.incrementAndGet());
        });
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = source.label(i);
            names[i] = source.name(i);
        }
        return new DecodedImages(List.of(names), labels, w, h, first.channels(), pixels, source.classNames(), source.describe());
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int channels() {
        return channels;
    }

    /** The raw pixel array (N × H × W × C); shared, not copied. */
    public byte[] pixels() {
        return pixels;
    }

    public int[] labels() {
        return labels;
    }

    /** The images with the given indices, sharing nothing with this set. */
    public DecodedImages subset(int[] indices) {
        int stride = width * height * channels;
        byte[] px = new byte[indices.length * stride];
        int[] lb = new int[indices.length];
        String[] nm = new String[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * stride, px, k * stride, stride);
            lb[k] = labels[indices[k]];
            nm[k] = names.get(indices[k]);
        }
        return new DecodedImages(List.of(nm), lb, width, height, channels, px, classNames, description + " (subset)");
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public String name(int i) {
        return names.get(i);
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public Image image(int i) {
        int stride = width * height * channels;
        byte[] px = new byte[stride];
        System.arraycopy(pixels, i * stride, px, 0, stride);
        return new Image(width, height, channels, px);
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String describe() {
        return description;
    }
}
