package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.Shared;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchitecturesTest {
    /** Every pytorchcv zoo model's learnable parameter count equals the count pytorchcv publishes (zoo.tsv). */
    @Test
    void everyPytorchcvModelHasThePublishedParameterCount() {
        int checked = 0;
        for (ZooEntry e : ModelZoo.all()) {
            if (!e.source().equals("pytorchcv")) {
                continue;
            }
            Module m = Architectures.create(e.arch(), e.classes());
            assertThat(m.learnableParameterCount()).as(e.name()).isEqualTo(e.params());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(70);
    }

    /**
     * chenyaofo's VGG-BN: the learnable parameter counts of chenyaofo's own code (sum of numel over parameters(),
     * PyTorch 1.13 on a snapshot of chenyaofo/pytorch-cifar-models; its README rounds them to 9.76 M and 15.30 M).
     */
    @Test
    void chenyaofoVggHasTheParameterCountOfItsAuthorsCode() {
        assertThat(Architectures.create("chenyaofo_vgg11_bn", 10).learnableParameterCount()).isEqualTo(9_756_426L);
        assertThat(Architectures.create("chenyaofo_vgg16_bn", 100).learnableParameterCount()).isEqualTo(15_299_748L);
    }

    /** chenyaofo's MobileNetV2 and ShuffleNetV2, counted the same way (its README: 0.70, 4.50, 0.35 and 5.55 M). */
    @Test
    void chenyaofoMobileNetsHaveTheParameterCountsOfItsAuthorsCode() {
        assertThat(Architectures.create("chenyaofo_mobilenetv2_x0_5", 10).learnableParameterCount()).isEqualTo(700_490L);
        assertThat(Architectures.create("chenyaofo_mobilenetv2_x1_4", 100).learnableParameterCount()).isEqualTo(4_495_076L);
        assertThat(Architectures.create("chenyaofo_shufflenetv2_x0_5", 10).learnableParameterCount()).isEqualTo(352_042L);
        assertThat(Architectures.create("chenyaofo_shufflenetv2_x2_0", 100).learnableParameterCount()).isEqualTo(5_549_896L);
    }

    /**
     * PreActResNet-18: the counts of an independent PyTorch definition written from He et al.'s pre-activation unit
     * (3×3 stem of 64, 2+2+2+2 units of 64/128/256/512, 1×1 projection shortcuts, final BN; PyTorch 1.13's numel
     * sum).
     */
    @Test
    void preActResNet18HasTheParameterCountOfAnIndependentDefinition() {
        assertThat(Architectures.create("preactresnet18", 10).learnableParameterCount()).isEqualTo(11_172_170L);
        assertThat(Architectures.create("preactresnet18", 100).learnableParameterCount()).isEqualTo(11_218_340L);
        assertThat(Architectures.family("preactresnet18")).isEqualTo("preactresnet");
    }

    /** The same against ../shared's copy of the imgclsmob CIFAR-100 table, for the models the issue names. */
    @Test
    void cifar100CountsMatchTheImgclsmobTable() throws IOException {
        Map<String, Long> table = new HashMap<>();
        for (String line : Files.readAllLines(Shared.require("reference/imgclsmob_cifar100_table.txt"))) {
            String[] f = line.trim().split("\\s{2,}");
            if (f.length >= 3 && f[0].endsWith("_cifar100")) {
                table.put(f[0], Long.parseLong(f[2].trim()));
            }
        }
        for (String arch : new String[] {"resnet20", "resnet56", "resnet110", "preresnet20", "preresnet56", "preresnet110",
            "seresnet20", "seresnet56", "sepreresnet20", "sepreresnet56", "resnext29_32x4d", "wrn16_10", "densenet40_k12"}) {
            long want = table.get(arch + "_cifar100");
            assertThat(Architectures.create(arch, 100).learnableParameterCount()).as(arch).isEqualTo(want);
            assertThat(ModelZoo.get(arch + "_cifar10")).isNotNull();
        }
    }

    @Test
    void stateDictKeysArePytorchcvs() {
        Map<String, ai.djl.nn.Parameter> p = Architectures.create("resnet20", 10).namedParameters();
        assertThat(p).containsKeys("features.init_block.conv.weight", "features.init_block.bn.running_var",
                "features.stage2.unit1.body.conv1.conv.weight", "features.stage2.unit1.identity_conv.bn.bias",
                "features.stage3.unit3.body.conv2.bn.weight", "output.weight", "output.bias");
        assertThat(Architectures.create("preresnet20", 10).namedParameters()).containsKeys("features.init_block.weight",
                "features.stage2.unit1.body.conv1.bn.weight", "features.stage2.unit1.identity_conv.weight", "features.post_activ.bn.weight");
        assertThat(Architectures.create("sepreresnet20", 10).namedParameters()).containsKeys("features.init_block.conv.weight",
                "features.stage1.unit1.se.conv1.weight", "features.stage1.unit1.se.conv2.bias").doesNotContainKey("features.post_activ.bn.weight");
        assertThat(Architectures.create("densenet40_k12", 10).namedParameters()).containsKeys("features.stage2.trans2.conv.bn.weight",
                "features.stage3.unit12.conv.conv.weight");
        assertThat(Architectures.create("nin", 10).namedParameters()).containsKeys("features.stage1.unit1.conv.weight",
                "features.stage3.unit2.conv.bias", "output.final_conv.conv.weight").hasSize(18);
        assertThat(Architectures.create("chenyaofo_resnet20", 100).namedParameters()).containsKeys("conv1.weight",
                "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_mean", "fc.weight");
        assertThat(Architectures.create("akamaster_resnet20", 10).namedParameters()).containsKeys("layer3.2.bn2.weight", "linear.bias")
                .doesNotContainKey("layer2.0.downsample.0.weight");
    }
}
