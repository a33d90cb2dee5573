package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.FGM;
import io.advkit.attack.Gradients;
import io.advkit.attack.ILA;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An LGV collection: each gradient is one member's, every member once per cycle; a prediction averages them all. */
class ModelCollectionTest {
    @TempDir
    Path tmp;

    @Test
    void gradientsVisitEveryMemberInTurnAndPredictionsAverageThem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run/collection"));
        for (int k = 1; k <= 3; k++) {
            try (ZooModel m = ZooModel.create("m" + k, "resnet20", 10, Normalization.named("pytorchcv-cifar"), 100 + k)) {
                AdvkitModelFile.save(dir.resolve("lgv-00" + k + ".advkit"), m, java.util.Map.of());
            }
        }
        try (NDManager mgr = NDManager.newBaseManager();
             ModelCollection c = (ModelCollection) new ModelLoader(WeightsResolver.standard(List.of(), true)).load("lgv:" + tmp.resolve("run"))) {
            assertThat(c.size()).isEqualTo(3);
            assertThat(c.name()).isEqualTo("lgv:" + tmp.resolve("run"));
            NDArray x = mgr.randomUniform(0, 1, new Shape(2, 3, 32, 32));
            List<float[]> memberLogits = new ArrayList<>();
            List<float[]> memberGrads = new ArrayList<>();
            for (int k = 1; k <= 3; k++) {
                try (ZooModel m = AdvkitModelFile.load(dir.resolve("lgv-00" + k + ".advkit"))) {
                    memberLogits.add(m.logits(x).toFloatArray());
                    memberGrads.add(Gradients.of(xi -> m.logits(xi).get(":, 0"), x, mgr).gradient().toFloatArray());
                }
            }
            float[] mean = c.logits(x).toFloatArray();
            for (int i = 0; i < mean.length; i++) {
                float expected = (memberLogits.get(0)[i] + memberLogits.get(1)[i] + memberLogits.get(2)[i]) / 3;
                assertThat(mean[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f));
            }
            List<Integer> visited = new ArrayList<>();
            for (int step = 0; step < 6; step++) {
                float[] g = Gradients.of(xi -> c.logits(xi).get(":, 0"), x, mgr).gradient().toFloatArray();
                visited.add(closest(g, memberGrads));
            }
            assertThat(visited.subList(0, 3)).containsExactlyInAnyOrder(0, 1, 2); // each member once per cycle
            assertThat(visited.subList(3, 6)).isEqualTo(visited.subList(0, 3)); // in the same order every cycle
            // a new batch starts at the first member again, wherever the last one stopped (resumed jobs rely on it)
            Gradients.of(xi -> c.logits(xi).get(":, 0"), x, mgr);
            c.startBatch(12345);
            assertThat(closest(Gradients.of(xi -> c.logits(xi).get(":, 0"), x, mgr).gradient().toFloatArray(), memberGrads))
                    .isEqualTo(visited.get(0));

            // ILA compares the same networks' layers in every forward: refused on a collection, not silently wrong
            NDArray y = mgr.create(new long[] {1, 2});
            AttackProblem p = AttackProblem.untargeted(c, x, y, Loss.CE, new ThreatModel(Norm.LINF, 8 / 255.0), new Random(0), mgr);
            assertThatThrownBy(() -> new ILA(new FGM(), 3, 2, 0.1).run(p)).isInstanceOf(UserError.class).hasMessageContaining("leave -ila out");
        }
    }

    /** The index of the member whose gradient equals {@code g} (to float tolerance); fails when none does. */
    private static int closest(float[] g, List<float[]> members) {
        for (int k = 0; k < members.size(); k++) {
            if (BackwardShapingTest.maxDiff(g, members.get(k)) < 1e-5) {
                return k;
            }
        }
        throw new AssertionError("the gradient is no member's");
    }

    @Test
    void aCollectionShippedInTheZooLoadsByNameWithItsMembersFamily() throws Exception {
        List<ZooEntry> members = ModelZoo.collection("lgv_resnet20_cifar10_advkit");
        assertThat(members).hasSizeGreaterThan(1).allSatisfy(e -> assertThat(e.arch()).isEqualTo("resnet20"));
        assertThat(ModelZoo.collection("resnet20_cifar10_advkit")).isEmpty(); // a model, not a collection
        WeightsResolver resolver = new WeightsResolver(tmp.resolve("home"), List.of(), null, true);
        try (ModelCollection c = (ModelCollection) new ModelLoader(resolver).load("lgv:lgv_resnet20_cifar10_advkit")) {
            assertThat(c.size()).isEqualTo(members.size());
            assertThat(c.name()).isEqualTo("lgv:lgv_resnet20_cifar10_advkit");
        }
        // each member was taken from the jar into the cache, its checksum verified on the way
        assertThat(members).allSatisfy(e -> assertThat(resolver.offlineSource(e)).hasValue(resolver.cachePath(e).toString()));
        assertThat(ModelFamily.of("lgv:lgv_resnet20_cifar10_advkit")).isEqualTo(ModelFamily.of("resnet20_cifar10_advkit"));
    }

    @Test
    void anEmptyOrMissingFolderIsOneLine() throws Exception {
        ModelLoader loader = new ModelLoader(WeightsResolver.standard(List.of(), true));
        assertThatThrownBy(() -> loader.load("lgv:" + tmp.resolve("nothing"))).isInstanceOf(UserError.class).hasMessageContaining("no such folder");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> loader.load("lgv:" + tmp.resolve("empty"))).isInstanceOf(UserError.class).hasMessageContaining("no .advkit models");
    }
}
