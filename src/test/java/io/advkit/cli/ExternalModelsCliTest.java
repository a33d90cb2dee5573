package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TorchScript and ONNX models from the command line, on a folder of 8×8 images (the fixture networks'
 * input): eval, attack with an ensemble of zoo-free surrogates, ONNX as a transfer victim and as the target of
 * a score-based attack, and the one-line refusals.
 */
class ExternalModelsCliTest {
    static final String FIX = "src/test/resources/external/";
    @TempDir
    Path tmp;
    Path data;

    @BeforeEach
    void images() throws IOException {
        data = Files.createDirectories(tmp.resolve("data"));
        Random r = new Random(3);
        for (int i = 0; i < 10; i++) {
            byte[] rgb = new byte[8 * 8 * 3];
            r.nextBytes(rgb);
            ImageCodec.writePng(new Image(8, 8, rgb), data.resolve((i % 5) + "_" + i + ".png"));
        }
    }

    private static Object[] ok(String... args) {
        Object[] r = CliErrorsTest.run(args);
        assertThat((int) r[0]).as((String) r[2]).isZero();
        return r;
    }

    private static List<Integer> predictions(Path json) {
        List<Integer> p = new ArrayList<>();
        JsonArray images = Json.read(json).getAsJsonObject().getAsJsonArray("models").get(0).getAsJsonObject().getAsJsonArray("predictions");
        for (JsonElement e : images) {
            p.add(e.getAsJsonObject().get("predicted").getAsInt());
        }
        return p;
    }

    @Test
    void torchScriptAndOnnxOfTheSameNetworkAgreeImageByImage() {
        // two engines (libtorch, ONNX Runtime) on the same exported network: the same prediction for every image
        ok("eval", "-q", "--data", data.toString(), "-m", "torchscript:" + FIX + "scripted.pt", "--json", tmp.resolve("ts.json").toString());
        ok("eval", "-q", "--data", data.toString(), "-m", "onnx:" + FIX + "model.onnx", "--json", tmp.resolve("onnx.json").toString());
        assertThat(predictions(tmp.resolve("ts.json"))).hasSize(10).isEqualTo(predictions(tmp.resolve("onnx.json")));
    }

    @Test
    void attackThroughTorchScriptWithAnOnnxVictimAndSquareOnOnnx() throws IOException {
        Path adv = tmp.resolve("adv");
        Object[] r = ok("attack", "-q", "--data", data.toString(), "--out", adv.toString(), "-s", "torchscript:" + FIX + "traced.pt",
                "-s", "torchscript:" + FIX + "scripted.pt", "--attack", "pgd", "--steps", "5", "--eps", "8",
                "-v", "onnx:" + FIX + "model.onnx");
        assertThat((String) r[1]).contains("10 images").contains("model.onnx");
        try (var files = Files.list(adv)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".png")).toList()) {
                assertThat(ImageCodec.read(f).linfDistance(ImageCodec.read(data.resolve(f.getFileName())))).isLessThanOrEqualTo(8);
            }
        }
        Path sq = tmp.resolve("square");
        ok("attack", "-q", "--data", data.toString(), "--out", sq.toString(), "-s", "onnx:" + FIX + "model.onnx",
                "--attack", "square", "--queries", "200", "--eps", "8");
        assertThat(Json.read(sq.resolve("attack.json")).getAsJsonObject().get("status").getAsString()).isEqualTo("complete");
    }

    @Test
    void badModelsAndSettingsAreOneLine() {
        String d = data.toString();
        oneLine("black box (ONNX)", "attack", "-q", "--data", d, "--out", tmp.resolve("a").toString(), "-s", "onnx:" + FIX + "model.onnx", "--attack", "pgd");
        assertThat(tmp.resolve("a")).doesNotExist(); // refused before anything is written
        oneLine("black box (ONNX)", "evaluate", "-q", "--data", d, "--out", tmp.resolve("e").toString(), "-m", "onnx:" + FIX + "model.onnx");
        oneLine("does not take images 3x16x16", "eval", "-q", "--data", d, "-m", "torchscript:" + FIX + "traced.pt", "--input-size", "3,16,16");
        oneLine("2 inputs", "eval", "-q", "--data", d, "-m", "onnx:" + FIX + "two_inputs.onnx");
        oneLine("state dict", "eval", "-q", "--data", d, "-m", "torchscript:" + FIX + "not_torchscript.pt");
        oneLine("training mode", "eval", "-q", "--data", d, "-m", "torchscript:" + FIX + "traced_training.pt");
        oneLine("no such model file", "eval", "-q", "--data", d, "-m", "torchscript:nowhere.pt");
        oneLine("C,H,W", "eval", "-q", "--data", d, "-m", "torchscript:" + FIX + "traced.pt", "--input-size", "3x8x8");
        oneLine("mean=A,B,C;std=D,E,F", "eval", "-q", "--data", d, "-m", "torchscript:" + FIX + "traced.pt", "--normalization", "mean=0.5");
    }

    private static void oneLine(String expected, String... args) {
        Object[] r = CliErrorsTest.run(args);
        String err = (String) r[2];
        assertThat((int) r[0]).as(err).isNotZero();
        assertThat(err.strip().lines()).as(err).hasSize(1);
        assertThat(err).contains(expected).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
