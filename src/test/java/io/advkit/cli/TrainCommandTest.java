package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Shared;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    Path tmp;

    /** A dataset with train and test splits, whose training images include a corrupt one. */
    private Path splitsWithACorruptImage() throws IOException {
        Path src = Shared.require("data/cifar-10_eval");
        for (String split : new String[] {"train", "test"}) {
            Path dir = Files.createDirectories(tmp.resolve("data").resolve(split).resolve("airplane"));
            Files.copy(src.resolve("0_0.png"), dir.resolve("0.png"));
        }
        Files.write(tmp.resolve("data/train/airplane/1.png"), new byte[] {1, 2, 3});
        return tmp.resolve("data");
    }

    /** Refusals come before the (slow) decoding of the training images: the corrupt image is never reached. */
    @Test
    void aRefusedRunDecodesNothing() throws IOException {
        Path data = splitsWithACorruptImage();
        Path done = Files.createDirectories(tmp.resolve("done"));
        Files.write(done.resolve("final.advkit"), new byte[] {0});
        Object[] r = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--model", "resnet20", "--out", done.toString());
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("finished run").doesNotContain("1.png");
        r = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--model", "resnet20", "--method", "madry", "--out",
                tmp.resolve("new").toString());
        assertThat((String) r[2]).contains("--method:").contains("madry").doesNotContain("1.png");
        assertThat(tmp.resolve("new")).doesNotExist();
        // with the settings right, the corrupt image is what stops it, with its name
        r = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--model", "resnet20", "--batch-size", "2", "--out",
                tmp.resolve("new").toString());
        assertThat((String) r[2]).contains("1.png");
    }

    /** LGV starts from a trained model: without --init, or with an architecture that disagrees with it, nothing starts. */
    @Test
    void lgvNeedsAnInitialModelThatAgreesWithTheArchitecture() throws IOException {
        Path data = splitsWithACorruptImage();
        Object[] r = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--method", "lgv", "--out", tmp.resolve("a").toString());
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--init").doesNotContain("1.png");
        Path init = tmp.resolve("init.advkit");
        try (var m = io.advkit.model.ZooModel.create("init", "resnet20", 10, io.advkit.model.Normalization.named("pytorchcv-cifar"), 1)) {
            io.advkit.model.AdvkitModelFile.save(init, m, java.util.Map.of());
        }
        r = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--method", "lgv", "--init", init.toString(), "-m", "preresnet20",
                "--out", tmp.resolve("b").toString());
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("is a resnet20, not the -m preresnet20");
        r = CliErrorsTest.run("train", "-q", "--data", data.toString(), "--out", tmp.resolve("c").toString());
        assertThat((String) r[2]).contains("-m ARCH");
        assertThat(tmp.resolve("a")).doesNotExist();
        assertThat(tmp.resolve("b")).doesNotExist();
    }

    /** A trained model is named after its run, never after a zoo model it would then pass for. */
    @Test
    void theDefaultNameIsTheRunsNotAZooModels() {
        TrainCommand c = new TrainCommand();
        c.out = tmp.resolve("runs/r20");
        assertThat(c.modelName()).isEqualTo("r20");
        c.out = tmp.resolve("runs/resnet20_cifar10_advkit");
        assertThatThrownBy(c::modelName).isInstanceOf(UserError.class).hasMessageContaining("zoo model");
        c.name = "mine";
        assertThat(c.modelName()).isEqualTo("mine");
    }
}
