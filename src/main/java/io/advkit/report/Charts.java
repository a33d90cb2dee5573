package io.advkit.report;

import io.advkit.util.UserError;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** PNG plots drawn with XChart: heatmaps of accuracy matrices and line charts (accuracy vs ε, training curves). */
public final class Charts {
    /** Longest row label drawn in full; the Markdown table beside the chart always has the whole text. */
    static final int MAX_LABEL = 60;

    private Charts() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** A heatmap of values in percent, rows top to bottom, with the numbers printed in the cells. */
    public static void heatmap(Path file, String title, List<String> rows, List<String> columns, double[][] values) {
        // XChart gives the row labels whatever width they need and the cells the rest: long labels (an attack's
        // full description) are shortened and the canvas widened by their length, so the cells always show
        List<String> labels = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            String l = rows.get(r).length() <= MAX_LABEL ? rows.get(r) : rows.get(r).substring(0, MAX_LABEL - 1) + "…";
            labels.add(labels.contains(l) ? l + " (" + (r + 1) + ")" : l); // categories must stay distinct
        }
        int longest = labels.stream().mapToInt(String::length).max().orElse(0);
        int w = Math.max(640, 200 + 7 * longest + 190 * columns.size());
        int h = Math.max(360, 160 + 42 * rows.size());
        HeatMapChart chart = new HeatMapChartBuilder().width(w).height(h).title(title).build();
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setXAxisLabelRotation(15);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(100);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xB2182B), new Color(0xF7F7F7), new Color(0x2166AC)});
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        List<Number[]> heat = new ArrayList<>();
        List<String> ys = new ArrayList<>(labels);
        java.util.Collections.reverse(ys); // XChart draws the first y category at the bottom
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                heat.add(new Number[] {c, rows.size() - 1 - r, Math.round(values[r][c] * 10) / 10.0});
            }
        }
        chart.addSeries("accuracy %", columns, ys, heat);
        save(chart, file);
    }

    /** Lines y(x) for several named series. */
    public static void lines(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        XYChart chart = new XYChartBuilder().width(720).height(440).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setXAxisDecimalPattern("#.##"); // XChart's default prints every digit of a computed tick
        series.forEach((name, xy) -> chart.addSeries(name, xy[0], xy[1]));
        save(chart, file);
    }

    /**
     * Each model's weights as an image (height × width), side by side: red positive, blue negative, white zero, one
     * colour scale for all, enlarged 8×; the caption under each gives its training.
     */
    public static void weightMaps(Path file, io.advkit.train.LinearLesson.Result r) {
        int h = r.height();
        int w = r.width();
        int scale = 8;
        int pad = 16;
        int caption = 24;
        double max = 1e-12;
        for (var m : r.models()) {
            for (float v : m.weights()) {
                max = Math.max(max, Math.abs(v));
            }
        }
        int n = r.models().size();
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(n * (w * scale + pad) + pad, h * scale + 2 * pad + caption,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int k = 0; k < n; k++) {
            var m = r.models().get(k);
            int x0 = pad + k * (w * scale + pad);
            for (int i = 0; i < h * w; i++) {
                double t = Math.max(-1, Math.min(1, m.weights()[i] / max));
                int fade = (int) Math.round(255 * (1 - Math.abs(t)));
                g.setColor(t >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255));
                g.fillRect(x0 + (i % w) * scale, pad + (i / w) * scale, scale, scale);
            }
            g.setColor(Color.BLACK);
            g.drawString(String.format("%s: |w|_1 %.1f, %.0f%% near 0", m.training(), m.l1(), m.nearZero()), x0, pad + h * scale + 18);
        }
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", png);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding in memory failed", e);
        }
        io.advkit.util.AtomicFiles.write(file, png.toByteArray());
    }

    /**
     * Histograms of final PGD losses (Madry et al.'s Figure 1): one series per model and image, counts over 40 bins
     * evenly spaced in log10 of the loss, shared by all series so that models compare.
     */
    public static void lossHistograms(Path file, List<io.advkit.eval.Landscape.Result> results) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (var r : results) {
            for (var im : r.images()) {
                lo = Math.min(lo, Math.log10(Math.max(im.min(), 1e-12)));
                hi = Math.max(hi, Math.log10(Math.max(im.max(), 1e-12)));
            }
        }
        int bins = 40;
        double width = Math.max(hi - lo, 1e-6) / bins;
        Map<String, double[][]> series = new java.util.LinkedHashMap<>();
        for (var r : results) {
            for (var im : r.images()) {
                double[] x = new double[bins];
                double[] y = new double[bins];
                for (int b = 0; b < bins; b++) {
                    x[b] = lo + (b + 0.5) * width;
                }
                for (float v : im.losses()) {
                    int b = (int) Math.min(bins - 1, Math.floor((Math.log10(Math.max(v, 1e-12)) - lo) / width));
                    y[b]++;
                }
                series.put(r.config().model() + " " + im.name(), new double[][] {x, y});
            }
        }
        lines(file, "Final loss of PGD from random starts", "log10 cross-entropy", "starts", series);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            io.advkit.util.AtomicFiles.write(file, png);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write plot (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }
}
