package io.advkit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advkit.Shared;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.model.AdvkitModelFile;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LGV's collection: K models per epoch, at the stated points of a constant-rate SGD run that starts from the given model. */
class LgvTest {
    @TempDir
    Path tmp;

    private static Trainer.Config config(String schedule, int epochs, String init) {
        return new Trainer.Config("tiny", "resnet20", 10, 3, Normalization.named("pytorchcv-cifar"), epochs, 16, 0.05, schedule, null, 0.1,
                0.9, false, 5e-4, 0, 7, new ThreatModel(Norm.LINF, 8 / 255.0), 8, 32, 2, 8, init);
    }

    private static float maxDifference(StateDict a, StateDict b) {
        float max = 0;
        for (String k : a.keys()) {
            float[] x = a.get(k).toFloatArray();
            float[] y = b.get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    private static StateDict learned(StateDict sd) {
        java.util.Map<String, io.advkit.checkpoint.Tensor> kept = new java.util.LinkedHashMap<>();
        for (String k : sd.keys()) {
            if (!k.contains("running") && !k.contains("num_batches")) {
                kept.put(k, sd.get(k));
            }
        }
        return new StateDict(kept);
    }

    private static StateDict weightsOf(Path advkitFile) {
        try (ZooModel m = AdvkitModelFile.load(advkitFile)) {
            return m.stateDict();
        }
    }

    @Test
    void collectsKModelsPerEpochAlongAConstantRateRunFromTheInitialModel() throws IOException {
        ImageSet folder = ImageFolder.open(Shared.require("data/cifar-10_eval"), List.of());
        int[] pick = new int[64]; // 4 batches of 16 per epoch
        for (int i = 0; i < pick.length; i++) {
            pick[i] = i * 15;
        }
        DecodedImages train = DecodedImages.decode(folder, n -> { }).subset(pick);
        ImageSet val = train.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        StateDict init;
        try (ZooModel m = ZooModel.create("init", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 42)) {
            init = m.stateDict();
        }

        Path lgv = tmp.resolve("lgv");
        Trainer t = new Trainer(config("constant", 2, "init.advkit"), new LgvTraining(2), lgv, true);
        t.startFrom(init);
        t.run(train, val, false);
        List<String> names;
        try (Stream<Path> s = Files.list(lgv.resolve(Trainer.COLLECTION))) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).containsExactly("lgv-001.advkit", "lgv-001.pth", "lgv-002.advkit", "lgv-002.pth", "lgv-003.advkit",
                "lgv-003.pth", "lgv-004.advkit", "lgv-004.pth");
        names = names.stream().filter(n -> n.endsWith(".advkit")).toList();
        for (int k = 1; k <= 4; k++) { // after batches 2, 4, 6, 8: epochs 0.5, 1, 1.5, 2, all at the constant rate
            JsonObject card = JsonParser.parseString(new String(AdvkitModelFile.readEntries(lgv.resolve(Trainer.COLLECTION)
                    .resolve(names.get(k - 1))).get("model.json"), StandardCharsets.UTF_8)).getAsJsonObject();
            assertThat(card.get("index").getAsInt()).isEqualTo(k);
            assertThat(card.get("epoch").getAsDouble()).isEqualTo(k / 2.0);
            assertThat(card.get("lr").getAsDouble()).isEqualTo(0.05);
            assertThat(card.getAsJsonObject("training").get("init").getAsString()).isEqualTo("init.advkit");
        }
        // the last collected model is the run's final one; the first has moved away from the start, but not far
        StateDict last = weightsOf(lgv.resolve(Trainer.COLLECTION).resolve("lgv-004.advkit"));
        assertThat(maxDifference(last, StateDict.load(lgv.resolve("final.pth")))).isZero();
        StateDict first = weightsOf(lgv.resolve(Trainer.COLLECTION).resolve("lgv-001.advkit"));
        assertThat(maxDifference(first, StateDict.load(lgv.resolve(Trainer.COLLECTION).resolve("lgv-001.pth")))).isZero();
        StateDict random;
        try (ZooModel m = ZooModel.create("other", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 7)) {
            random = m.stateDict();
        }
        // (learned parameters only: BatchNorm's running statistics start equal in every fresh network)
        assertThat(maxDifference(learned(first), learned(init))).isPositive().isLessThan(maxDifference(learned(first), learned(random)) / 10);

        // the end of epoch 1 is where plain standard training at the same constant rate from the same model is after 1 epoch
        Path plain = tmp.resolve("plain");
        Trainer s = new Trainer(config("constant", 1, "init.advkit"), new StandardTraining(), plain, true);
        s.startFrom(init);
        s.run(train, val, false);
        assertThat(maxDifference(weightsOf(lgv.resolve(Trainer.COLLECTION).resolve("lgv-002.advkit")), StateDict.load(plain.resolve("final.pth"))))
                .isLessThan(1e-5f);
    }

    @Test
    void collectsAtLeastOneModelPerEpoch() {
        assertThatThrownBy(() -> new LgvTraining(0)).isInstanceOf(UserError.class).hasMessageContaining("at least 1");
        assertThat(LrSchedule.parse("constant", 0.05, 10, null, 0.1).lr(7.3)).isEqualTo(0.05);
    }
}
