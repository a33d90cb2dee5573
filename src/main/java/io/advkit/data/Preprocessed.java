package io.advkit.data;

import io.advkit.util.UserError;

import java.util.List;

/**
 * The data stage of a model's input pipeline, applied when an image is read: torchvision's
 * {@code Resize(resize)} (shorter side to {@code resize}, bilinear, as Pillow computes it) then
 * {@code CenterCrop(crop)}, RobustBench's ImageNet protocol being 256 then 224. Everything downstream (the threat
 * model, the ε-box, the saved PNGs) is on the image the model sees.
 */
public final class Preprocessed implements ImageSet {
    private final ImageSet source;
    private final Integer resize;
    private final Integer crop;

    private Preprocessed(ImageSet source, Integer resize, Integer crop) {
        this.source = source;
        this.resize = resize;
        this.crop = crop;
    }

    /** {@code source} through the given steps (either may be null); the source itself when there are none. */
    public static ImageSet of(ImageSet source, Integer resize, Integer crop) {
        if (resize != null && resize < 1) {
            throw UserError.invalid("resize", "the shorter side must be at least 1 pixel, got " + resize);
        }
        if (crop != null && crop < 1) {
            throw UserError.invalid("center-crop", "the crop must be at least 1 pixel, got " + crop);
        }
        return resize == null && crop == null ? source : new Preprocessed(source, resize, crop);
    }

    @Override
    public Image image(int i) {
        Image img = source.image(i);
        if (resize != null) {
            img = resizeShorterSide(img, resize);
        }
        if (crop != null) {
            img = centerCrop(img, crop, source.describe() + "/" + source.name(i));
        }
        return img;
    }

    /** torchvision's rule: the shorter side becomes {@code size}, the longer one int(size · long / short). */
    static Image resizeShorterSide(Image img, int size) {
        int w = img.width();
        int h = img.height();
        if (w <= h) {
            return w == size ? img : PilResize.resize(img, size, (int) ((long) size * h / w));
        }
        return h == size ? img : PilResize.resize(img, (int) ((long) size * w / h), size);
    }

    /** torchvision's CenterCrop: offsets round((side − crop) / 2) with Python's round-half-to-even. */
    static Image centerCrop(Image img, int size, String where) {
        if (img.width() < size || img.height() < size) {
            throw UserError.invalid("resize", where + ": " + img.width() + "x" + img.height() + " is smaller than the crop " + size
                    + "; resize its shorter side to at least " + size + " first");
        }
        int top = (int) Math.rint((img.height() - size) / 2.0);
        int left = (int) Math.rint((img.width() - size) / 2.0);
        int ch = img.channels();
        byte[] out = new byte[size * size * ch];
        for (int y = 0; y < size; y++) {
            System.arraycopy(img.pixels(), ((top + y) * img.width() + left) * ch, out, y * size * ch, size * ch);
        }
        return new Image(size, size, ch, out);
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public String name(int i) {
        return source.name(i);
    }

    @Override
    public int label(int i) {
        return source.label(i);
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }

    @Override
    public String describe() {
        return source.describe() + (resize != null ? " resize " + resize : "") + (crop != null ? " center-crop " + crop : "");
    }
}
