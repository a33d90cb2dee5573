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
 * advkit's pytorchcv architectures against pytorchcv's own code: weights advkit initializes and exports
 * must load into pytorchcv's models with strict=True and give the same logits. Runs when PyTorch is
 * installed and PYTORCHCV_SRC points at a pytorchcv source tree (tools/compare_with_pytorchcv.py says how);
 * skipped otherwise.
 */
class PytorchcvParityTest {
    @TempDir
    Path tmp;

    @Test
    void logitsMatchPytorchcv() throws IOException, InterruptedException {
        String src = System.getenv("PYTORCHCV_SRC");
        assumeTrue(src != null && Files.isDirectory(Path.of(src)), "set PYTORCHCV_SRC to run");
        List<String> cases = new ArrayList<>();
        String[] names = {"resnet20_cifar10", "resnet164bn_cifar100", "preresnet20_cifar100", "preresnet164bn_cifar10",
            "seresnet20_cifar100", "sepreresnet20_cifar10", "sepreresnet164bn_cifar100", "resnext29_32x4d_cifar10",
            "wrn16_10_cifar100", "densenet40_k12_cifar10", "nin_cifar10", "nin_cifar100",
            "preactresnet18_cifar10"}; // the last is not in pytorchcv's zoo: its CIFARPreResNet given PreActResNet-18's channels
        for (String name : names) {
            String arch = name.substring(0, name.lastIndexOf("_cifar"));
            int classes = Integer.parseInt(name.substring(name.lastIndexOf("_cifar") + 6));
            Path dir = Files.createDirectories(tmp.resolve(name));
            try (ZooModel m = ZooModel.create(name, arch, classes, Normalization.named("none"), 11);
                 NDManager nd = NDManager.newBaseManager()) {
                // random running statistics too, so eval-mode BatchNorm is exercised, not the identity
                for (Map.Entry<String, ai.djl.nn.Parameter> p : m.net().namedParameters().entrySet()) {
                    if (p.getKey().endsWith("running_var") || p.getKey().endsWith("running_mean") || p.getKey().endsWith(".bias")) {
                        NDArray a = p.getValue().getArray();
                        NDArray r = nd.randomUniform(p.getKey().endsWith("running_var") ? 0.5f : -0.2f, p.getKey().endsWith("running_var") ? 1.5f : 0.2f, a.getShape());
                        a.intern(r.duplicate());
                    }
                }
                m.stateDict().save(dir.resolve("weights.pth"));
                NDArray x = nd.randomNormal(new Shape(4, 3, 32, 32));
                NDArray logits = m.logits(x);
                new StateDict(Map.of("x", Tensor.ofFloats(new long[] {4, 3, 32, 32}, x.toFloatArray()))).save(dir.resolve("input.pth"));
                new StateDict(Map.of("logits", Tensor.ofFloats(logits.getShape().getShape(), logits.toFloatArray()))).save(dir.resolve("logits.pth"));
            }
            cases.add(dir.toString());
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", Path.of("tools/compare_with_pytorchcv.py").toAbsolutePath().toString()));
        cmd.addAll(cases);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", src);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        System.out.println(out);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
