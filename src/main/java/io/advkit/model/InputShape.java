package io.advkit.model;

import io.advkit.util.UserError;

/** The channels × height × width of one image a model takes. */
public record InputShape(int channels, int height, int width) {
    public InputShape {
        if (channels != 1 && channels != 3) {
            throw UserError.invalid("input-size", "a model takes 1 (grayscale) or 3 (RGB) channels, not " + channels);
        }
        if (height < 1 || width < 1) {
            throw UserError.invalid("input-size", "image sides must be positive, got " + height + "x" + width);
        }
    }

    /** "C,H,W", e.g. "3,224,224". */
    public static InputShape parse(String s) {
        String[] p = s.split(",");
        if (p.length != 3) {
            throw UserError.invalid("input-size", "expected C,H,W (e.g. 3,32,32), got '" + s + "'");
        }
        try {
            return new InputShape(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
        } catch (NumberFormatException e) {
            throw UserError.invalid("input-size", "expected C,H,W (e.g. 3,32,32), got '" + s + "'");
        }
    }

    public long[] batch(int n) {
        return new long[] {n, channels, height, width};
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
