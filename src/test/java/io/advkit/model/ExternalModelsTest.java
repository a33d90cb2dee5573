package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.Square;
import io.advkit.attack.ThreatModel;
import io.advkit.defense.DefenseSpec;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TorchScript and ONNX models against PyTorch's own logits and input gradients on fixed inputs
 * (tools/make_external_model_fixtures.py wrote the models and reference.json with PyTorch 1.13). The network
 * has BatchNorm with non-trivial running statistics and dropout, so any forward in training mode shows here.
 */
class ExternalModelsTest {
    static final Path DIR = Path.of("src/test/resources/external");
    static final InputShape RGB = new InputShape(3, 8, 8);
    static JsonObject ref;

    @BeforeAll
    static void reference() {
        ref = Json.read(DIR.resolve("reference.json")).getAsJsonObject();
    }

    static float[] floats(String key) {
        JsonArray a = ref.getAsJsonArray(key);
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
        }
        return v;
    }

    static NDArray input(NDManager m, int channels) {
        float[] x = floats("input");
        NDArray all = m.create(x, new Shape(4, 3, 8, 8));
        return channels == 3 ? all : all.get(":, 0:1");
    }

    static NDArray labels(NDManager m) {
        return m.create(new long[] {0, 1, 2, 3});
    }

    static void assertClose(float[] actual, float[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tol));
        }
    }

    /** The attack path: Σ cross-entropy's input gradient, as every gradient attack takes it. */
    static float[] gradient(Classifier model, NDArray x, NDArray y, NDManager m) {
        ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(0), m);
        return p.evaluate(x, m).gradient().toFloatArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"traced.pt", "scripted.pt", "scripted_saved_training.pt"})
    void torchScriptGivesPyTorchsEvalModeLogitsAndGradientsOnEveryPath(String file) {
        try (NDManager m = NDManager.newBaseManager(); TorchScriptModel model = TorchScriptModel.load(DIR.resolve(file), RGB, null)) {
            NDArray x = input(m, 3);
            NDArray y = labels(m);
            assertThat(model.numClasses()).isEqualTo(5);
            // eval, then attack, then eval again: the order that trips a scripted module switched to train() by a forward
            assertClose(model.logits(x).toFloatArray(), floats("logits"), 1e-5);
            assertThat(AttackProblem.predict(model, x)).containsExactly(argmax(floats("logits"), 5));
            assertClose(gradient(model, x, y, m), floats("grad_ce_sum"), 1e-6);
            assertClose(model.logits(x).toFloatArray(), floats("logits"), 1e-5);
            assertClose(gradient(model, x, y, m), floats("grad_ce_sum"), 1e-6);
            // EoT: 4 draws of a noise defense of σ = 0 average 4 copies of the same gradient
            Classifier eot = new DefenseSpec("noise:0", "eot", "identity", 4, 1).wrap(model);
            assertThat(eot.gradientSamples()).isEqualTo(4);
            assertClose(gradient(eot, x, y, m), floats("grad_ce_sum"), 1e-6);
        }
    }

    @Test
    void aGrayscaleTorchScriptModelTakesOneChannel() {
        try (NDManager m = NDManager.newBaseManager();
             TorchScriptModel model = TorchScriptModel.load(DIR.resolve("gray.pt"), new InputShape(1, 8, 8), null)) {
            NDArray x = input(m, 1);
            assertClose(model.logits(x).toFloatArray(), floats("gray_logits"), 1e-5);
            assertClose(gradient(model, x, labels(m), m), floats("gray_grad_ce_sum"), 1e-6);
        }
    }

    @Test
    void aGivenNormalizationIsAppliedBeforeTheModule() {
        // (x − 0.5)/0.5 in front of the module equals the module on 2x − 1
        Normalization half = Normalization.parse("mean=0.5;std=0.5");
        try (NDManager m = NDManager.newBaseManager();
             TorchScriptModel plain = TorchScriptModel.load(DIR.resolve("traced.pt"), RGB, null);
             TorchScriptModel normalized = TorchScriptModel.load(DIR.resolve("traced.pt"), RGB, half)) {
            NDArray x = input(m, 3);
            assertClose(normalized.logits(x).toFloatArray(), plain.logits(x.mul(2).sub(1)).toFloatArray(), 1e-5);
        }
        try (NDManager m = NDManager.newBaseManager();
             OnnxModel plain = OnnxModel.load(DIR.resolve("model.onnx"), RGB, null);
             OnnxModel normalized = OnnxModel.load(DIR.resolve("model.onnx"), RGB, half)) {
            NDArray x = input(m, 3);
            assertClose(normalized.logits(x).toFloatArray(), plain.logits(x.mul(2).sub(1)).toFloatArray(), 1e-5);
        }
    }

    @Test
    void onnxGivesTheSameLogitsAndServesScoreBasedAttacksButNoGradients() {
        try (NDManager m = NDManager.newBaseManager(); OnnxModel model = OnnxModel.load(DIR.resolve("model.onnx"), RGB, null)) {
            NDArray x = input(m, 3);
            NDArray y = labels(m);
            assertThat(model.numClasses()).isEqualTo(5);
            assertClose(model.logits(x).toFloatArray(), floats("logits"), 1e-5);
            assertThatThrownBy(() -> gradient(model, x, y, m)).isInstanceOf(UserError.class)
                    .hasMessageContaining("ONNX model").hasMessageContaining("square, spsa");
            // Square needs scores only: it runs, and its examples stay in the budget
            ThreatModel tm = new ThreatModel(Norm.LINF, 16 / 255.0);
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CW, tm, new Random(0), m);
            NDArray adv = new Square(100, 0.8).run(p);
            assertThat(adv.sub(x).abs().max().getFloat()).isLessThanOrEqualTo(16 / 255f + 1e-6f);
            assertThat(adv.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void badModelsAreRefusedInOneLine() {
        assertThatThrownBy(() -> TorchScriptModel.load(DIR.resolve("traced_training.pt"), RGB, null))
                .isInstanceOf(UserError.class).hasMessageContaining("training mode");
        assertThatThrownBy(() -> TorchScriptModel.load(DIR.resolve("tuple_output.pt"), RGB, null))
                .isInstanceOf(UserError.class).hasMessageContaining("one tensor of logits");
        assertThatThrownBy(() -> TorchScriptModel.load(DIR.resolve("not_torchscript.pt"), RGB, null))
                .isInstanceOf(UserError.class).hasMessageContaining("state dict");
        assertThatThrownBy(() -> TorchScriptModel.load(DIR.resolve("reference.json"), RGB, null))
                .isInstanceOf(UserError.class).hasMessageContaining("not a TorchScript file");
        assertThatThrownBy(() -> TorchScriptModel.load(DIR.resolve("traced.pt"), new InputShape(3, 16, 16), null))
                .isInstanceOf(UserError.class).hasMessageContaining("does not take images 3x16x16").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> OnnxModel.load(DIR.resolve("two_inputs.onnx"), RGB, null))
                .isInstanceOf(UserError.class).hasMessageContaining("2 inputs");
        assertThatThrownBy(() -> OnnxModel.load(DIR.resolve("traced.pt"), RGB, null))
                .isInstanceOf(UserError.class).hasMessageContaining("ONNX Runtime cannot load it");
        assertThatThrownBy(() -> OnnxModel.load(DIR.resolve("model.onnx"), new InputShape(3, 16, 16), null))
                .isInstanceOf(UserError.class).hasMessageContaining("3x16x16").hasMessageNotContaining("\n");
    }

    static long[] argmax(float[] logits, int k) {
        long[] r = new long[logits.length / k];
        for (int i = 0; i < r.length; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (logits[i * k + j] > logits[i * k + best]) {
                    best = j;
                }
            }
            r[i] = best;
        }
        return r;
    }
}
