package io.advkit.report;

import io.advkit.data.Image;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A picture of what an attack did: for each example a column with the clean image, the adversarial image
 * and the perturbation amplified to the full range (grey = unchanged), each scaled up with nearest
 * neighbours so single pixels stay visible.
 */
public final class ExampleGrid {
    private static final int SCALE = 4;
    private static final int PAD = 6;
    private static final int LABEL = 16;

    private ExampleGrid() {}

    /** @param captions one caption per column (image name, labels) */
    public static void write(Path file, List<Image> clean, List<Image> adv, List<String> captions, double eps255) {
        int n = clean.size();
        int w = clean.get(0).width() * SCALE;
        int h = clean.get(0).height() * SCALE;
        int left = 110;
        BufferedImage out = new BufferedImage(left + n * (w + PAD) + PAD, LABEL + 3 * (h + PAD) + PAD + LABEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String[] rows = {"clean", "adversarial", String.format("|δ| x%.0f", 127.5 / Math.max(eps255, 1))};
        for (int r = 0; r < 3; r++) {
            g.drawString(rows[r], 6, LABEL + r * (h + PAD) + PAD + h / 2);
        }
        for (int i = 0; i < n; i++) {
            int x0 = left + i * (w + PAD);
            g.drawString(shorten(captions.get(i), w / 7), x0, LABEL - 3);
            g.drawImage(scaled(clean.get(i), null, 0), x0, LABEL + PAD, null);
            g.drawImage(scaled(adv.get(i), null, 0), x0, LABEL + h + 2 * PAD, null);
            g.drawImage(scaled(adv.get(i), clean.get(i), eps255), x0, LABEL + 2 * (h + PAD) + PAD, null);
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        io.advkit.util.AtomicFiles.write(file, bytes.toByteArray());
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "…";
    }

    /** The image scaled up; with a reference, the difference mapped to 128 ± 127.5·δ/ε instead. */
    private static BufferedImage scaled(Image img, Image ref, double eps255) {
        int w = img.width();
        int h = img.height();
        BufferedImage b = new BufferedImage(w * SCALE, h * SCALE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] c = new int[3];
                int ch = img.channels(); // a grayscale image shows its one value in all three
                for (int k = 0; k < 3; k++) {
                    int i = (y * w + x) * ch + (ch == 1 ? 0 : k);
                    c[k] = ref == null ? img.pixel(i)
                            : (int) Math.max(0, Math.min(255, Math.round(128 + (img.pixel(i) - ref.pixel(i)) * 127.5 / Math.max(eps255, 1))));
                }
                int rgb = (c[0] << 16) | (c[1] << 8) | c[2];
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        b.setRGB(x * SCALE + dx, y * SCALE + dy, rgb);
                    }
                }
            }
        }
        return b;
    }
}
