package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defense-GAN as a user runs it: a generator trained by {@code train --method wgan-gp} (resumed after a stop), a
 * classifier evaluated behind {@code --defense defense-gan:GEN,R,L}, and the audit with its reparameterization row.
 */
class DefenseGanCliTest {
    @TempDir
    Path tmp;

    @Test
    void trainAGeneratorEvaluateAndAuditBehindIt() throws IOException {
        Random r = new Random(8);
        Path data = Files.createDirectories(tmp.resolve("mnist"));
        GrayscaleCliTest.idx(data, "train", 96, r);
        GrayscaleCliTest.idx(data, "t10k", 16, r);
        Path gan = tmp.resolve("gan");
        String[] train = {"train", "-q", "--method", "wgan-gp", "--data", data.toString(), "--iterations", "4", "--batch-size", "16",
                "--latent", "8", "--width", "8", "--checkpoint-every", "2", "--out", gan.toString()};
        Object[] res = CliErrorsTest.run(train);
        assertThat((int) res[0]).as((String) res[2]).isZero();
        Path generator = gan.resolve("generator.advkit");
        assertThat(generator).exists();
        assertThat(gan.resolve("samples.png")).exists();
        res = CliErrorsTest.run("train", "-q", "--method", "wgan-gp", "--data", data.toString(), "--epochs", "3", "--out",
                tmp.resolve("x").toString());
        assertThat((int) res[0]).isNotZero();
        assertThat((String) res[2]).contains("--epochs trains classifiers");
        res = CliErrorsTest.run("train", "-q", "-m", "smallcnn", "--data", data.toString(), "--iterations", "3", "--out", tmp.resolve("x").toString());
        assertThat((int) res[0]).isNotZero();
        assertThat((String) res[2]).contains("--iterations applies to --method wgan-gp only");
        res = CliErrorsTest.run(train); // a finished run is never trained over
        assertThat((int) res[0]).isNotZero();
        assertThat((String) res[2]).contains("already holds a finished run");

        Path run = tmp.resolve("cnn");
        res = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--model", "smallcnn", "--classes", "2", "--epochs", "2",
                "--batch-size", "16", "--lr", "0.05", "--out", run.toString());
        assertThat((int) res[0]).as((String) res[2]).isZero();
        String model = run.resolve("final.advkit").toString();
        String defense = "defense-gan:" + generator + ",2,5";
        res = CliErrorsTest.run("eval", "-q", "--data", data.toString(), "--split", "test", "-m", model, "--defense", defense);
        assertThat((int) res[0]).as((String) res[2]).isZero();
        assertThat((String) res[1]).contains("defense-gan:generator.advkit,2,5");

        Path audit = tmp.resolve("audit");
        res = CliErrorsTest.run("audit", "-q", "--data", data.toString(), "--split", "test", "-m", model, "--defense", defense, "--limit", "4",
                "--eps", "25", "--pgd-steps", "2", "--apgd-iters", "2", "--eot", "1", "--sweep", "25", "--random-draws", "1",
                "--square-queries", "0", "--spsa-iterations", "0", "--out", audit.toString());
        assertThat((int) res[0]).as((String) res[2]).isZero();
        JsonObject json = JsonParser.parseString(Files.readString(audit.resolve("audit.json"))).getAsJsonObject();
        List<String> rows = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("attacks")) {
            rows.add(e.getAsJsonObject().get("attack").getAsString() + "/" + e.getAsJsonObject().get("gradients").getAsString());
        }
        assertThat(rows).contains("pgd/naive", "pgd/adaptive", "reparam/generator");

        Path report = tmp.resolve("report");
        res = CliErrorsTest.run("report", "-q", gan.toString(), audit.toString(), "--out", report.toString());
        assertThat((int) res[0]).as((String) res[2]).isZero();
        assertThat(Files.readString(report.resolve("report.md"))).contains("# Generator: gan").contains("samples-gan.png")
                .contains("defense-gan");

        // one line each: a missing generator, and the reparameterization attack on a model with no generator in front
        res = CliErrorsTest.run("eval", "-q", "--data", data.toString(), "--split", "test", "-m", model, "--defense",
                "defense-gan:" + tmp.resolve("missing.advkit"));
        assertThat((int) res[0]).isNotZero();
        assertThat(((String) res[2]).strip()).contains("no generator file").doesNotContain("\n");
        res = CliErrorsTest.run("attack", "-q", "--data", data.toString(), "--split", "test", "-s", model, "--attack", "reparam",
                "--eps", "25", "--out", tmp.resolve("adv").toString());
        assertThat((int) res[0]).isNotZero();
        assertThat(((String) res[2]).strip()).contains("generator's range").doesNotContain("\n");
    }
}
