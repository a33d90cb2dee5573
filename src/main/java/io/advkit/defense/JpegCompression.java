package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * JPEG compression at quality q (Dziugaite et al. 2016; Das et al. 2017): each image is rounded to 8 bits,
 * encoded with the standard IJG tables scaled to q, and decoded. Computed outside the autograd graph,
 * so it is not differentiable.
 */
public final class JpegCompression implements Preprocessor {
    private final int quality;

    public JpegCompression(int quality) {
        if (quality < 1 || quality > 100) {
            throw io.advkit.util.UserError.invalid("defense", "JPEG quality must be 1..100, got " + quality);
        }
        this.quality = quality;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        return compressAll(x, new int[] {quality})[0];
    }

    /** The batch compressed at each quality: result[k] is the batch at qualities[k]. */
    static NDArray[] compressAll(NDArray x, int[] qualities) {
        Shape s = x.getShape();
        if (s.get(1) != 3) {
            throw io.advkit.util.UserError.invalid("defense", "JPEG compression (jpeg, slq) takes RGB images; these have " + s.get(1) + " channel(s)");
        }
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int plane = h * w;
        float[] in = x.toFloatArray();
        float[][] out = new float[qualities.length][in.length];
        IntStream.range(0, n).parallel().forEach(i -> {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            int[] samples = new int[plane * 3];
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    samples[3 * p + c] = Math.round(Math.max(0f, Math.min(1f, in[i * 3 * plane + c * plane + p])) * 255f);
                }
            }
            img.getRaster().setPixels(0, 0, w, h, samples);
            for (int k = 0; k < qualities.length; k++) {
                BufferedImage back = decode(encode(img, qualities[k]));
                int[] px = back.getRaster().getPixels(0, 0, w, h, (int[]) null);
                for (int p = 0; p < plane; p++) {
                    for (int c = 0; c < 3; c++) {
                        out[k][i * 3 * plane + c * plane + p] = px[3 * p + c] / 255f;
                    }
                }
            }
        });
        NDArray[] result = new NDArray[qualities.length];
        for (int k = 0; k < qualities.length; k++) {
            result[k] = x.getManager().create(out[k], s);
        }
        return result;
    }

    static byte[] encode(BufferedImage img, int quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new IllegalStateException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static BufferedImage decode(byte[] jpeg) {
        try {
            return ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException e) {
            throw new IllegalStateException("JPEG decoding failed", e);
        }
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    @Override
    public NDArray differentiableApproximation(NDArray x) {
        return DifferentiableJpeg.apply(x, quality);
    }

    @Override
    public String name() {
        return "jpeg:" + quality;
    }
}
