package io.advkit.defense;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.Shared;
import io.advkit.attack.Gradients;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSubset;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The differentiable JPEG is close to the real codec in value, and passes a gradient the identity does not. */
class DifferentiableJpegTest {
    @Test
    void tablesAreIjgsScaling() {
        int[] at50 = DifferentiableJpeg.scaledTable(new int[64], 50);
        assertThat(at50).containsOnly(1); // zeros clamp to 1
        int[] base = new int[64];
        java.util.Arrays.fill(base, 16);
        assertThat(DifferentiableJpeg.scaledTable(base, 50)).containsOnly(16);
        assertThat(DifferentiableJpeg.scaledTable(base, 75)).containsOnly(8); // scale 50%
        assertThat(DifferentiableJpeg.scaledTable(base, 10)).containsOnly(80); // scale 500%
        assertThat(DifferentiableJpeg.scaledTable(base, 100)).containsOnly(1);
    }

    @Test
    void closeToTheRealCodecAndDifferentiable() {
        var set = ImageSubset.balanced(ImageFolder.open(Shared.require("data/cifar-10_eval"), List.of()), 32, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            Batch batch = new Batches(set, 32).iterator().next();
            NDArray x = batch.toNDArray(m);
            // (not near q = 50: these images were JPEG-75 compressed once, so their coefficients sit near half-steps of the
            // q-50 table, where the codec's integer DCT decides the rounding; measured 3.9/255 there, 0.5–1.0 elsewhere)
            for (int q : new int[] {30, 60, 75, 90}) {
                NDArray real = new JpegCompression(q).apply(x, new Random(0));
                NDArray approx = DifferentiableJpeg.apply(x, q);
                assertThat(approx.getShape()).isEqualTo(x.getShape());
                double toReal = approx.sub(real).abs().mean().getFloat() * 255;
                double imageToReal = x.sub(real).abs().mean().getFloat() * 255;
                System.err.printf("q %d: |approx - jpeg| %.2f/255, |x - jpeg| %.2f/255%n", q, toReal, imageToReal);
                assertThat(toReal).as("quality %d", q).isLessThan(1.5); // in 1/255 units, mean over pixels
                if (imageToReal > 1) { // closer to the codec's output than the identity (BPDA's default stand-in) is
                    assertThat(toReal).as("quality %d", q).isLessThan(imageToReal * 0.6);
                }
            }
            // nothing per call stays behind in the process-long constants (it once did: 22 GB in an attack)
            DifferentiableJpeg.apply(x, 75).close();
            int held = DifferentiableJpeg.constantsHeld();
            for (int k = 0; k < 5; k++) {
                try (NDManager call = m.newSubManager()) {
                    NDArray xi = x.duplicate();
                    xi.attach(call);
                    Gradients.of(a -> DifferentiableJpeg.apply(a, 75).sum(new int[] {1, 2, 3}), xi, call);
                }
            }
            assertThat(DifferentiableJpeg.constantsHeld()).isEqualTo(held);
            // the gradient of a pixel sum through it is not the identity's (all ones): JPEG's low-pass shows
            NDArray g = Gradients.of(xi -> DifferentiableJpeg.apply(xi, 75).get(":, :, 4:12, 4:12").sum(new int[] {1, 2, 3}), x, m).gradient();
            float outside = g.get(":, :, 16:, 16:").abs().max().getFloat();
            float inside = g.get(":, :, 4:12, 4:12").mean().getFloat();
            assertThat(inside).isGreaterThan(0.01f); // attenuated: the cubic rounding's slope 3(q − ⌊q⌉)² averages ¼
            assertThat(outside).isLessThan(1e-6f); // blocks are independent: nothing leaks across the 16×16 macroblock
            assertThat(g.get(":, :, :16, :16").sub(1).abs().max().getFloat()).isGreaterThan(0.05f); // not the identity
        }
    }
}
