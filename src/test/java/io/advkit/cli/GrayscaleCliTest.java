package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.data.Image;
import io.advkit.data.ImageCodec;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grayscale from IDX files to saved PNGs: train a small 1-channel network on an MNIST-layout folder, evaluate it,
 * attack it at ε = 0.1 in [0,1] units, and read the 1-channel PNGs back within the budget.
 */
class GrayscaleCliTest {
    @TempDir
    Path tmp;

    static void idx(Path dir, String prefix, int n, Random r) throws IOException {
        byte[] px = new byte[n * 8 * 8];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            lb[i] = (byte) (i % 2);
            for (int p = 0; p < 64; p++) { // class 1 is bright on the top half, class 0 on the bottom: learnable
                boolean top = p < 32; // top or bottom half: survives the horizontal flips of augmentation
                px[i * 64 + p] = (byte) ((top == (lb[i] == 1) ? 180 : 40) + r.nextInt(40));
            }
        }
        try (DataOutputStream o = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))))) {
            o.writeInt(0x803);
            o.writeInt(n);
            o.writeInt(8);
            o.writeInt(8);
            o.write(px);
        }
        try (DataOutputStream o = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))))) {
            o.writeInt(0x801);
            o.writeInt(n);
            o.write(lb);
        }
    }

    @Test
    void trainEvaluateAndAttackAGrayscaleModelOnIdxData() throws IOException {
        Random r = new Random(8);
        Path data = Files.createDirectories(tmp.resolve("mnist"));
        idx(data, "train", 96, r);
        idx(data, "t10k", 16, r);
        Path run = tmp.resolve("run");
        Object[] res = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--model", "smallcnn", "--classes", "2", "--epochs", "2",
                "--batch-size", "16", "--lr", "0.05", "--out", run.toString());
        assertThat((int) res[0]).as((String) res[2]).isZero();
        Path model = run.resolve("final.advkit");
        assertThat(model).exists();
        res = CliErrorsTest.run("eval", "-q", "--data", data.toString(), "--split", "test", "-m", model.toString());
        assertThat((int) res[0]).as((String) res[2]).isZero();
        Path adv = tmp.resolve("adv");
        res = CliErrorsTest.run("attack", "-q", "--data", data.toString(), "--split", "test", "-s", model.toString(), "--attack", "pgd",
                "--steps", "5", "--eps", "0.1", "--eps-scale", "1", "--out", adv.toString());
        assertThat((int) res[0]).as((String) res[2]).isZero();
        assertThat((String) res[1]).contains("16 images, max L-inf 25/255"); // ⌊0.1 · 255⌋ grey levels
        Image saved = ImageCodec.read(adv.resolve("1_1.png"));
        assertThat(saved.channels()).isEqualTo(1);
        assertThat(saved.width()).isEqualTo(8);
        // an RGB model on grayscale data is one clear line
        res = CliErrorsTest.run("eval", "-q", "--data", data.toString(), "--split", "test", "-m", "resnet20_cifar10_advkit");
        assertThat((int) res[0]).isNotZero();
        assertThat((String) res[2]).contains("a grayscale image, but").contains("takes RGB images");
    }
}
