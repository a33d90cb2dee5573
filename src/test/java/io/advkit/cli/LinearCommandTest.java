package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.util.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** advkit linear on Fashion-MNIST, and its section in the report. */
class LinearCommandTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path tmp;

    @Test
    void standardVersusFgsmTrainingAndTheirWeightsInTheReport() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FASHION), "dataset-fashion-mnist is not installed");
        Path out = tmp.resolve("linear");
        Object[] r = CliErrorsTest.run("linear", "--data", FASHION.toString(), "--epochs", "2", "--out", out.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        var models = Json.read(out.resolve("linear.json")).getAsJsonObject().getAsJsonArray("models");
        var standard = models.get(0).getAsJsonObject();
        var fgsm = models.get(1).getAsJsonObject();
        assertThat(standard.get("clean").getAsDouble()).isGreaterThan(90);
        assertThat(fgsm.get("fgsm").getAsDouble()).isGreaterThan(standard.get("fgsm").getAsDouble());
        assertThat(fgsm.get("near_zero").getAsDouble()).isGreaterThan(standard.get("near_zero").getAsDouble());
        assertThat(javax.imageio.ImageIO.read(out.resolve("weights.png").toFile())).isNotNull();

        r = CliErrorsTest.run("report", out.toString(), "--out", tmp.resolve("report").toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(Files.readString(tmp.resolve("report/report.md"))).contains("The linear lesson").contains("weights near 0");

        r = CliErrorsTest.run("linear", "--data", FASHION.toString(), "--pair", "3,3", "--out", tmp.resolve("bad").toString());
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("two different class labels");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }
}
