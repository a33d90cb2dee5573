package io.advkit.data;

/**
 * One decoded 8-bit image, RGB (3 channels) or grayscale (1), pixels interleaved row by row (HWC), as the PNG
 * stores them. Unsigned values 0..255 are held in signed bytes; use {@link #pixel(int)} to read them.
 */
public record Image(int width, int height, int channels, byte[] pixels) {
    public Image {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an image has 1 or 3 channels, not " + channels);
        }
        if (pixels.length != width * height * channels) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected " + width * height * channels);
        }
    }

    /** An RGB image. */
    public Image(int width, int height, byte[] rgb) {
        this(width, height, 3, rgb);
    }

    /** Unsigned value of the i-th byte (i over the interleaved HWC array). */
    public int pixel(int i) {
        return pixels[i] & 0xFF;
    }

    /** "RGB" or "grayscale", for messages. */
    public String kind() {
        return channels == 3 ? "RGB" : "grayscale";
    }

    /** Largest absolute per-pixel difference to another image of the same shape (the L∞ distance on 0..255). */
    public int linfDistance(Image other) {
        if (other.width != width || other.height != height || other.channels != channels) {
            throw new IllegalArgumentException("images differ in shape");
        }
        int max = 0;
        for (int i = 0; i < pixels.length; i++) {
            max = Math.max(max, Math.abs(pixel(i) - other.pixel(i)));
        }
        return max;
    }

    /** The pixels planar (CHW), as integers 0..255. */
    public int[] toChw() {
        int plane = width * height;
        int[] out = new int[plane * channels];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                out[c * plane + p] = pixel(channels * p + c);
            }
        }
        return out;
    }

    /** An image from planar (CHW) integers 0..255. */
    public static Image fromChw(int[] chw, int channels, int width, int height) {
        int plane = width * height;
        byte[] px = new byte[plane * channels];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                px[channels * p + c] = (byte) chw[c * plane + p];
            }
        }
        return new Image(width, height, channels, px);
    }
}
