package io.advkit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @TempDir
    Path tmp;

    /** Pixels in the heatmap's two end colours (accuracy 0 and 100): the cells themselves, not the labels. */
    private static int cellPixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                n += rgb == 0xB2182B || rgb == 0x2166AC ? 1 : 0;
            }
        }
        return n;
    }

    /** transfer's default row labels (an attack's whole description) once left the cells no room at all. */
    @Test
    void longRowLabelsLeaveTheCellsVisible() throws IOException {
        List<String> victims = List.of("ace_resnet32_cifar100", "cifar100_resnet56");
        double[][] acc = {{100, 0}, {0, 100}};
        Path shortLabels = tmp.resolve("short.png");
        Charts.heatmap(shortLabels, "t", List.of("clean", "pgd"), victims, acc);
        Path longLabels = tmp.resolve("long.png");
        String label = "mi-di-ti (20 steps, TI kernel 7, logits fusion) eps 8 from cifar100_resnet20+cifar100_resnet56+ace_resnet32_cifar100";
        Charts.heatmap(longLabels, "t", List.of(label, label + " again"), victims, acc);
        int reference = cellPixels(shortLabels);
        assertThat(reference).isGreaterThan(10_000);
        assertThat(cellPixels(longLabels)).isGreaterThan(reference / 2);
    }
}
