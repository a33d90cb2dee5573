package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.checkpoint.StateDict;
import io.advkit.checkpoint.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * advkit's chenyaofo architectures (ResNet, VGG-BN, MobileNetV2, ShuffleNetV2) against chenyaofo's own code: exported weights load with
 * strict=True and give the same logits. Runs when PyTorch is installed and CHENYAOFO_SRC points at a snapshot of
 * chenyaofo/pytorch-cifar-models (tools/compare_with_chenyaofo.py says how); skipped otherwise.
 */
class ChenyaofoParityTest {
    @TempDir
    Path tmp;

    @Test
    void logitsMatchChenyaofo() throws IOException, InterruptedException {
        String src = System.getenv("CHENYAOFO_SRC");
        assumeTrue(src != null && Files.isDirectory(Path.of(src)), "set CHENYAOFO_SRC to run");
        // chenyaofo's function name → advkit architecture and classes
        Map<String, Object[]> cases = Map.of("cifar100_resnet20", new Object[] {"chenyaofo_resnet20", 100},
                "cifar10_vgg11_bn", new Object[] {"chenyaofo_vgg11_bn", 10}, "cifar100_vgg16_bn", new Object[] {"chenyaofo_vgg16_bn", 100},
                "cifar10_mobilenetv2_x0_5", new Object[] {"chenyaofo_mobilenetv2_x0_5", 10},
                "cifar100_mobilenetv2_x1_4", new Object[] {"chenyaofo_mobilenetv2_x1_4", 100},
                "cifar10_shufflenetv2_x0_5", new Object[] {"chenyaofo_shufflenetv2_x0_5", 10},
                "cifar100_shufflenetv2_x2_0", new Object[] {"chenyaofo_shufflenetv2_x2_0", 100});
        List<String> dirs = new ArrayList<>();
        for (var c : cases.entrySet()) {
            Path dir = Files.createDirectories(tmp.resolve(c.getKey()));
            try (ZooModel m = ZooModel.create(c.getKey(), (String) c.getValue()[0], (int) c.getValue()[1], Normalization.named("none"), 5);
                 NDManager nd = NDManager.newBaseManager()) {
                for (var p : m.net().namedParameters().entrySet()) { // random BN statistics and biases: not the identity
                    String k = p.getKey();
                    if (k.endsWith("running_var") || k.endsWith("running_mean") || k.endsWith(".bias")) {
                        NDArray a = p.getValue().getArray();
                        a.intern(nd.randomUniform(k.endsWith("running_var") ? 0.5f : -0.2f, k.endsWith("running_var") ? 1.5f : 0.2f, a.getShape()));
                    }
                }
                m.stateDict().save(dir.resolve("weights.pth"));
                NDArray x = nd.randomNormal(new Shape(2, 3, 32, 32));
                NDArray logits = m.logits(x);
                new StateDict(Map.of("x", Tensor.ofFloats(new long[] {2, 3, 32, 32}, x.toFloatArray()))).save(dir.resolve("input.pth"));
                new StateDict(Map.of("logits", Tensor.ofFloats(logits.getShape().getShape(), logits.toFloatArray()))).save(dir.resolve("logits.pth"));
            }
            dirs.add(dir.toString());
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", Path.of("tools/compare_with_chenyaofo.py").toAbsolutePath().toString()));
        cmd.addAll(dirs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CHENYAOFO_SRC", src);
        pb.environment().remove("PYTHONPATH");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        System.out.println(out);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
