package io.advkit.data;

/**
 * Bilinear resizing exactly as Pillow (≥ 7) does it for 8-bit images, which is what torchvision's {@code Resize}
 * runs on a PIL image: a separable triangle filter widened by the scale when shrinking (antialiasing), weights in
 * 22-bit fixed point, a horizontal pass rounded to 8 bits, then a vertical one. Being exact matters: the image an
 * attack perturbs, and whose ε-box the saved PNG respects, is the one a PyTorch user's pipeline would feed the model.
 */
final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /** One axis: for each output position, the first input index, the count, and the fixed-point weights. */
    private record Coefficients(int[] start, int[] count, int[][] weights) {}

    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale; // bilinear's support is 1
        int[] start = new int[outSize];
        int[] count = new int[outSize];
        int[][] weights = new int[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double[] k = new double[xmax];
            double sum = 0;
            for (int x = 0; x < xmax; x++) {
                double t = Math.abs((x + xmin - center + 0.5) / filterScale);
                k[x] = t < 1.0 ? 1.0 - t : 0.0;
                sum += k[x];
            }
            int[] w = new int[xmax];
            for (int x = 0; x < xmax; x++) {
                double v = sum != 0.0 ? k[x] / sum : k[x];
                w[x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
            }
            start[xx] = xmin;
            count[xx] = xmax;
            weights[xx] = w;
        }
        return new Coefficients(start, count, weights);
    }

    private static int clip8(long acc) {
        long v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : v > 255 ? 255 : (int) v;
    }

    /** {@code image} resized to width × height. */
    static Image resize(Image image, int width, int height) {
        int w = image.width();
        int h = image.height();
        if (w == width && h == height) {
            return image;
        }
        byte[] px = image.pixels();
        int ch = image.channels();
        int rowsFrom = 0;
        int rows = h;
        Coefficients vertical = h == height ? null : coefficients(h, height);
        if (vertical != null) { // the horizontal pass needs only the rows the vertical one reads
            rowsFrom = vertical.start()[0];
            rows = vertical.start()[height - 1] + vertical.count()[height - 1] - rowsFrom;
        }
        if (w != width) {
            Coefficients c = coefficients(w, width);
            byte[] tmp = new byte[rows * width * ch];
            for (int y = 0; y < rows; y++) {
                int row = (y + rowsFrom) * w * ch;
                for (int xx = 0; xx < width; xx++) {
                    int[] k = c.weights()[xx];
                    for (int b = 0; b < ch; b++) {
                        long acc = 1L << (PRECISION_BITS - 1);
                        for (int x = 0; x < k.length; x++) {
                            acc += (long) (px[row + (c.start()[xx] + x) * ch + b] & 0xFF) * k[x];
                        }
                        tmp[(y * width + xx) * ch + b] = (byte) clip8(acc);
                    }
                }
            }
            px = tmp;
        } else if (vertical != null) {
            byte[] tmp = new byte[rows * w * ch];
            System.arraycopy(px, rowsFrom * w * ch, tmp, 0, tmp.length);
            px = tmp;
        }
        if (vertical == null) {
            return new Image(width, height, ch, px);
        }
        byte[] out = new byte[width * height * ch];
        for (int yy = 0; yy < height; yy++) {
            int[] k = vertical.weights()[yy];
            int first = vertical.start()[yy] - rowsFrom;
            for (int i = 0; i < width * ch; i++) {
                long acc = 1L << (PRECISION_BITS - 1);
                for (int y = 0; y < k.length; y++) {
                    acc += (long) (px[(first + y) * width * ch + i] & 0xFF) * k[y];
                }
                out[yy * width * ch + i] = (byte) clip8(acc);
            }
        }
        return new Image(width, height, ch, out);
    }
}
