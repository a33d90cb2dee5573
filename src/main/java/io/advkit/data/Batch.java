package io.advkit.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A batch of images as the models take them: floats in [0,1], laid out N×C×H×W (C = 3 for RGB, 1 for
 * grayscale), with their indices into the source set and their labels.
 */
public record Batch(int[] indices, int[] labels, float[] pixels, int channels, int width, int height) {
    public int size() {
        return indices.length;
    }

    public NDArray toNDArray(NDManager manager) {
        return manager.create(pixels, new Shape(size(), channels, height, width));
    }

    public NDArray labelsNDArray(NDManager manager) {
        return manager.create(labels);
    }

    /** Scales 8-bit HWC pixels of one image into the batch's CHW float slot {@code slot}. */
    static void put(Image img, float[] dst, int slot) {
        int plane = img.width() * img.height();
        int channels = img.channels();
        int base = slot * plane * channels;
        byte[] px = img.pixels();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                dst[base + c * plane + p] = (px[channels * p + c] & 0xFF) / 255f;
            }
        }
    }
}
