package io.advkit.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * advkit's .pth files load in real PyTorch (Debian's python3-torch) with identical values, and a file
 * PyTorch re-saves loads back into advkit identically. Skipped where PyTorch is not installed.
 */
class TorchInteropTest {
    @TempDir
    Path tmp;

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String python(String script, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "/usr/bin/python3";
        cmd[1] = "-c";
        cmd[2] = script;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void advkitStateDictLoadsInPytorchAndBack() throws Exception {
        assumeTrue(torchAvailable(), "needs python3-torch");
        Path ours = tmp.resolve("resnet20.pth");
        Map<String, Tensor> expected;
        try (ZooModel m = ZooModel.create("resnet20_cifar10", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 5)) {
            StateDict sd = m.stateDict();
            sd.save(ours);
            expected = new LinkedHashMap<>(sd.tensors());
        }
        Path resaved = tmp.resolve("resaved.pth");
        String out = python("""
                import sys, torch
                sd = torch.load(sys.argv[1], map_location='cpu')
                assert type(sd).__name__ == 'OrderedDict', type(sd)
                n = sum(v.numel() for k, v in sd.items() if v.is_floating_point())
                print(len(sd), n, sd['features.init_block.bn.num_batches_tracked'].dtype, float(sd['output.weight'].double().sum()))
                torch.save(sd, sys.argv[2])
                """, ours.toString(), resaved.toString());
        String[] f = out.strip().split(" ");
        assertThat(Integer.parseInt(f[0])).isEqualTo(expected.size());
        assertThat(f[2]).isEqualTo("torch.int64");
        double sum = 0;
        for (float v : expected.get("output.weight").toFloatArray()) {
            sum += v;
        }
        assertThat(Double.parseDouble(f[3])).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-9));
        StateDict back = StateDict.load(resaved);
        expected.forEach((k, v) -> assertThat(back.get(k)).as(k).isEqualTo(v));
    }
}
