package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.Shared;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one clear line on stderr and a non-zero exit, never a stack trace. */
class CliErrorsTest {
    @TempDir
    Path tmp;

    /** Runs the CLI in-process; returns {exit code, stdout, stderr}. */
    static Object[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Object[] {code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private void assertOneLineError(String expected, String... args) {
        Object[] r = run(args);
        String err = (String) r[2];
        assertThat((int) r[0]).as(err).isNotZero();
        assertThat(err.strip().lines()).as(err).hasSize(1);
        assertThat(err).contains(expected).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private String[] eval(Path data, String model) {
        return new String[] {"eval", "-q", "--data", data.toString(), "--model", model};
    }

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        for (String c : new String[] {"models", "eval", "attack", "transfer", "train", "linear", "landscape", "audit", "report", "bench"}) {
            Object[] r = run(c, "--help");
            assertThat((int) r[0]).isZero();
            // picocli prints a WARN line to stderr when a description is not a valid format string
            assertThat((String) r[2]).as(c).isEmpty();
            assertThat((String) r[1]).as(c).contains("Usage: advkit " + c);
        }
    }

    @Test
    void badInputsAreOneLineErrors() throws IOException {
        Path img = Shared.require("data/cifar-100_eval/0_0.png");
        String weights = Shared.require("weights/cifar100/cifar100_resnet56-f2eff4c8.pt").toString();
        String model = "cifar100_resnet56=" + weights;

        Path truncated = Files.createDirectory(tmp.resolve("truncated"));
        byte[] png = Files.readAllBytes(img);
        Files.write(truncated.resolve("0_0.png"), Arrays.copyOf(png, png.length / 2));
        assertOneLineError("corrupt or truncated", eval(truncated, model));

        Path corrupt = Files.createDirectory(tmp.resolve("corrupt"));
        byte[] bad = png.clone();
        for (int i = 60; i < bad.length - 20; i++) {
            bad[i] ^= 0x5A;
        }
        Files.write(corrupt.resolve("0_0.png"), bad);
        assertOneLineError("0_0.png", eval(corrupt, model));

        Path gray = Files.createDirectory(tmp.resolve("gray"));
        java.awt.image.BufferedImage g = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(g, "png", gray.resolve("3_0.png").toFile());
        assertOneLineError("a grayscale image, but", eval(gray, model)); // readable, but not what an RGB model takes

        Path noLabel = Files.createDirectory(tmp.resolve("nolabel"));
        Files.copy(img, noLabel.resolve("cat.png"));
        assertOneLineError("has no label", eval(noLabel, model));

        assertOneLineError("empty folder", eval(Files.createDirectory(tmp.resolve("empty")), model));

        Path ok = Files.createDirectory(tmp.resolve("ok"));
        Files.copy(img, ok.resolve("0_0.png"));
        String wrong = Shared.require("weights/cifar10/resnet20-12fca82f.th").toString();
        assertOneLineError("do not fit architecture", eval(ok, "cifar100_resnet56=" + wrong));
        assertOneLineError("unknown model", eval(ok, "resnet21_cifar10"));
        assertOneLineError("no such file", eval(tmp.resolve("missing"), model));
        assertOneLineError("Missing required", "eval", "--data");
    }

    @Test
    void evalPrintsTheTableAndWritesJson() throws IOException {
        Path data = Shared.require("data/cifar-100_eval");
        String weights = Shared.require("weights/cifar100/cifar100_resnet56-f2eff4c8.pt").toString();
        Path json = tmp.resolve("eval.json");
        Object[] r = run("eval", "-q", "--data", data.toString(), "--model", "cifar100_resnet56=" + weights, "--json", json.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat((String) r[1]).contains("cifar100_resnet56").contains("500    500    100.0%");
        var root = io.advkit.util.Json.read(json).getAsJsonObject();
        var m = root.getAsJsonArray("models").get(0).getAsJsonObject();
        assertThat(m.get("accuracy").getAsDouble()).isEqualTo(100.0);
        assertThat(m.getAsJsonArray("predictions")).hasSize(500);
        assertThat(root.getAsJsonObject("run").get("engine").getAsString()).startsWith("PyTorch");
    }
}
