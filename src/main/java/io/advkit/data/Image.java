package io.advkit.data;

/**
 * One decoded 8-bit RGB image, pixels interleaved row by row (HWC), as the PNG stores them.
 * Unsigned values 0..255 are held in signed bytes; use {@link #pixel(int)} to read them.
 */
public record Image(int width, int height, byte[] rgb) {
    public Image {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + width * height * 3);
        }
    }

    /** Unsigned value of the i-th byte (i over the interleaved HWC array). */
    public int pixel(int i) {
        return rgb[i] & 0xFF;
    }

    /** Largest absolute per-pixel difference to another image of the same size (the L∞ distance on 0..255). */
    public int linfDistance(Image other) {
        if (other.width != width || other.height != height) {
            throw new IllegalArgumentException("images differ in size");
        }
        int max = 0;
        for (int i = 0; i < rgb.length; i++) {
            max = Math.max(max, Math.abs(pixel(i) - other.pixel(i)));
        }
        return max;
    }
}
