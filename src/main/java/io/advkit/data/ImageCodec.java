package io.advkit.data;

import io.advkit.util.AtomicFiles;
import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads PNG/JPEG files into exact 8-bit RGB and writes lossless PNG. Only 8-bit colour images are
 * accepted: a grayscale or 16-bit file would silently change what the models see, so it is refused.
 */
public final class ImageCodec {
    private ImageCodec() {}

    static {
        ImageIO.setUseCache(false); // no temp files for every decode
    }

    public static Image read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read file (" + Errors.describe(e) + ")");
        }
        return decode(bytes, file.toString());
    }

    /** Decodes an encoded image; {@code where} names it in error messages. */
    public static Image decode(byte[] bytes, String where) {
        BufferedImage bi;
        try {
            bi = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new UserError(where + ": corrupt or truncated image (" + Errors.describe(e) + ")");
        }
        if (bi == null) {
            throw new UserError(where + ": not a PNG or JPEG image");
        }
        return toImage(bi, where);
    }

    private static Image toImage(BufferedImage bi, String where) {
        int w = bi.getWidth();
        int h = bi.getHeight();
        ColorModel cm = bi.getColorModel();
        int channels = cm.getNumColorComponents();
        if (channels != 3 && channels != 1) {
            throw new UserError(where + ": image has " + channels + " colour channels; expected 8-bit RGB or grayscale");
        }
        byte[] rgb = new byte[w * h * channels];
        if (cm instanceof IndexColorModel) { // palette PNG: look colours up, exactly
            int[] argb = bi.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                if ((argb[i] >>> 24) != 0xFF) {
                    throw new UserError(where + ": image has transparent pixels; expected opaque RGB");
                }
                rgb[3 * i] = (byte) (argb[i] >> 16);
                rgb[3 * i + 1] = (byte) (argb[i] >> 8);
                rgb[3 * i + 2] = (byte) argb[i];
            }
            return new Image(w, h, rgb);
        }
        for (int c = 0; c < cm.getNumComponents(); c++) {
            if (cm.getComponentSize(c) != 8) {
                throw new UserError(where + ": image has " + cm.getComponentSize(c)
                        + "-bit channels; expected 8-bit RGB or grayscale");
            }
        }
        int bands = bi.getRaster().getNumBands();
        int[] samples = bi.getRaster().getPixels(0, 0, w, h, (int[]) null);
        for (int i = 0; i < w * h; i++) {
            if (bands > channels && samples[i * bands + channels] != 255) {
                throw new UserError(where + ": image has transparent pixels; expected opaque RGB or grayscale");
            }
            for (int c = 0; c < channels; c++) {
                rgb[channels * i + c] = (byte) samples[i * bands + c];
            }
        }
        return new Image(w, h, channels, rgb);
    }

    /** Lossless PNG bytes of an image. */
    public static byte[] encodePng(Image image) {
        BufferedImage bi = new BufferedImage(image.width(), image.height(),
                image.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster raster = bi.getRaster();
        int[] samples = new int[image.pixels().length];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = image.pixel(i);
        }
        raster.setPixels(0, 0, image.width(), image.height(), samples);
        var out = new java.io.ByteArrayOutputStream();
        try {
            ImageIO.write(bi, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed", e);
        }
        return out.toByteArray();
    }

    /** Writes a PNG atomically: readers never see a half-written file, even if the JVM is killed. */
    public static void writePng(Image image, Path file) {
        AtomicFiles.write(file, encodePng(image));
    }
}
