package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.Shared;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluator;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real third-party checkpoints give exactly the accuracies an independent PyTorch implementation measured
 * on the shared evaluation sets (../shared/README.md): a wrong layer, normalization or pixel order shows here.
 */
class RealWeightsAccuracyTest {
    @ParameterizedTest
    @CsvSource({
        "cifar100_resnet56, weights/cifar100/cifar100_resnet56-f2eff4c8.pt, data/cifar-100_eval, 500",
        "cifar100_resnet20, weights/cifar100/cifar100_resnet20-23dac2f1.pt, data/cifar-100_eval, 457",
        "ace_resnet32_cifar100, weights/cifar100/ace_resnet32_cifar100.pt, data/cifar-100_eval, 454",
        "akamaster_resnet20, weights/cifar10/resnet20-12fca82f.th, data/cifar-10_eval, 804",
        "akamaster_resnet32, weights/cifar10/resnet32-d509ac18.th, data/cifar-10_eval, 840",
    })
    void accuracyMatchesTheIndependentCheck(String name, String weights, String data, int expectedCorrect) {
        ZooEntry e = ModelZoo.get(name);
        Path w = Shared.require(weights);
        ImageSet set = ImageFolder.open(Shared.require(data), List.of());
        try (ZooModel m = ZooModel.load(e.name(), e.arch(), e.classes(), Normalization.named(e.normalization()), StateDict.load(w), w.toString())) {
            assertThat(Evaluator.evaluate(m, set, 100, true).correct()).isEqualTo(expectedCorrect);
        }
    }
}
