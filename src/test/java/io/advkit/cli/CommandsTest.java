package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.advkit.Shared;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end, as a user runs them, on a handful of real images. */
class CommandsTest {
    @TempDir
    Path tmp;

    private Path sixImages() throws IOException {
        Path src = Shared.require("data/cifar-100_eval");
        Path dir = Files.createDirectories(tmp.resolve("clean"));
        for (String n : new String[] {"0_0.png", "1_0.png", "2_0.png", "3_0.png", "4_0.png", "5_0.png"}) {
            Files.copy(src.resolve(n), dir.resolve(n));
        }
        return dir;
    }

    @Test
    void attackTransferAuditEvaluateAndReport() throws IOException {
        Path clean = sixImages();
        String weights = Shared.require("weights/cifar100").toString();
        Path adv = tmp.resolve("adv");
        Object[] r = CliErrorsTest.run("attack", "-q", "--data", clean.toString(), "--out", adv.toString(), "-s", "cifar100_resnet20",
                "--attack", "mi-di", "--steps", "3", "--eps", "8", "--weights-dir", weights, "--batch-size", "4");
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat((String) r[1]).contains("6 images, max L-inf 8/255");
        for (String n : new String[] {"0_0.png", "5_0.png"}) {
            Image a = ImageCodec.read(adv.resolve(n));
            assertThat(a.linfDistance(ImageCodec.read(clean.resolve(n)))).isBetween(1, 8);
        }
        JsonObject manifest = Json.read(adv.resolve("attack.json")).getAsJsonObject();
        assertThat(manifest.get("status").getAsString()).isEqualTo("complete");
        assertThat(manifest.getAsJsonArray("images")).hasSize(6);
        assertThat(manifest.getAsJsonObject("config").getAsJsonObject("attack").get("attack").getAsString()).isEqualTo("mi-di");

        // re-running resumes: nothing is attacked again
        r = CliErrorsTest.run("attack", "-q", "--data", clean.toString(), "--out", adv.toString(), "-s", "cifar100_resnet20",
                "--attack", "mi-di", "--steps", "3", "--eps", "8", "--weights-dir", weights, "--batch-size", "4");
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(Json.read(adv.resolve("attack.json")).getAsJsonObject().get("resumed_images").getAsInt()).isEqualTo(6);
        // a different attack into the same folder is refused
        r = CliErrorsTest.run("attack", "-q", "--data", clean.toString(), "--out", adv.toString(), "-s", "cifar100_resnet20",
                "--attack", "fgsm", "--weights-dir", weights);
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("different attack");

        Path transfer = tmp.resolve("transfer");
        r = CliErrorsTest.run("transfer", "-q", "--clean", clean.toString(), "--adv", adv.toString(), "-v", "cifar100_resnet56",
                "--weights-dir", weights, "--out", transfer.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(transfer.resolve("transfer.png")).exists();
        assertThat(Files.readString(transfer.resolve("transfer.md"))).contains("| clean | 100.0 |").contains("mi-di (3 steps) eps 8 from cifar100_resnet20");

        Path audit = tmp.resolve("audit");
        r = CliErrorsTest.run("audit", "-q", "--data", clean.toString(), "-m", "cifar100_resnet20", "--defense", "bitdepth:5",
                "--weights-dir", weights, "--pgd-steps", "2", "--apgd-iters", "2", "--sweep", "4,8", "--random-draws", "2", "--square-queries", "20", "--out", audit.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        JsonObject a = Json.read(audit.resolve("audit.json")).getAsJsonObject();
        assertThat(a.getAsJsonArray("symptoms")).hasSize(5);
        assertThat(a.get("defense").getAsString()).isEqualTo("bitdepth:5");

        Path evaluation = tmp.resolve("evaluate");
        r = CliErrorsTest.run("evaluate", "-q", "--data", clean.toString(), "-m", "cifar100_resnet20", "--weights-dir", weights,
                "--attacks", "fgm,apgd-ce", "--min-norm", "deepfool", "--out", evaluation.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        JsonObject e = Json.read(evaluation.resolve("evaluate.json")).getAsJsonObject();
        assertThat(e.getAsJsonArray("stages")).hasSize(2);
        assertThat(e.get("robust_accuracy").getAsDouble()).isLessThanOrEqualTo(e.get("clean_accuracy").getAsDouble());
        assertThat(e.getAsJsonObject("minimal_norm").getAsJsonArray("distances")).hasSize(6);
        try (var pngs = Files.list(evaluation)) {
            assertThat(pngs.filter(f -> f.toString().endsWith(".png")).count()).isEqualTo(6);
        }
        r = CliErrorsTest.run("evaluate", "-q", "--data", clean.toString(), "-m", "cifar100_resnet20", "--weights-dir", weights,
                "--attacks", "fgm", "--min-norm", "pgd", "--out", tmp.resolve("evaluate-bad").toString());
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("not a minimal-norm attack");
        assertThat(tmp.resolve("evaluate-bad")).doesNotExist();

        Path report = tmp.resolve("report");
        Path unfinished = Files.createDirectories(tmp.resolve("unfinished")); // a killed attack's manifest is left out
        Files.writeString(unfinished.resolve("attack.json"), "{\"kind\": \"attack\", \"status\": \"running\", \"config\": {}}");
        r = CliErrorsTest.run("report", adv.toString(), transfer.toString(), audit.toString(), evaluation.toString(), unfinished.toString(), "--out", report.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("<h2>Attacks</h2>").contains("Transfer matrix").contains("Symptoms of obfuscated gradients")
                .contains("Robustness evaluation: cifar100_resnet20").contains("Accuracy vs ε from each image");
        try (var imgs = Files.list(report.resolve("img"))) {
            for (Path p : imgs.toList()) { // every referenced plot exists and is a real PNG
                assertThat(html).contains("img/" + p.getFileName());
                assertThat(javax.imageio.ImageIO.read(p.toFile())).isNotNull();
            }
        }
    }
}
