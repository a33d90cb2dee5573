package io.advkit.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Shared;
import io.advkit.util.UserError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {
    @TempDir
    Path tmp;

    private static Path resource(String name) throws Exception {
        return Path.of(TorchCheckpointTest.class.getResource("/checkpoints/" + name).toURI());
    }

    @Test
    void zipAndLegacyFilesOfTheSameWeightsLoadToIdenticalTensors() throws Exception {
        // both written by real PyTorch 1.13 (tools/make_checkpoint_fixtures.py)
        StateDict zip = StateDict.load(resource("tiny_zip.pt"));
        StateDict legacy = StateDict.load(resource("tiny_legacy.th")); // {'state_dict': {module.*}, ...}
        assertThat(legacy.keys()).containsExactlyElementsOf(zip.keys());
        for (String k : zip.keys()) {
            assertThat(legacy.get(k)).as(k).isEqualTo(zip.get(k));
        }
        assertThat(zip.get("layer.weight").shape()).containsExactly(2, 3);
        assertThat(zip.get("layer.weight").toFloatArray()).containsExactly(1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, -7.5f);
        assertThat(zip.get("bn.num_batches_tracked").dtype()).isEqualTo(DType.INT64);
        assertThat(zip.get("bn.num_batches_tracked").shape()).isEmpty();
        assertThat(zip.get("bn.num_batches_tracked").toLongArray()).containsExactly(42L);
        assertThat(zip.get("half").toFloatArray()).containsExactly(1.0f, -2.5f, 65504f, 5.9604645e-8f);
        assertThat(zip.get("double").toFloatArray()).containsExactly(1f / 3, 2f, -4f, Float.POSITIVE_INFINITY);
        // a transposed view: strides (1, 4) over arange(12) → rows of the transpose
        assertThat(zip.get("transposed").shape()).containsExactly(4, 3);
        assertThat(zip.get("transposed").toFloatArray()).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        // a slice: offset 3 into a storage of 10
        assertThat(zip.get("slice").toFloatArray()).containsExactly(3, 4, 5, 6);
    }

    @Test
    void maliciousPickleIsRefusedByNameAndNothingRuns() throws IOException {
        Path marker = tmp.resolve("pwned");
        // pickle for os.system("touch <marker>"), as pickle.dumps would write it on Linux
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        p.writeBytes("cposix\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        byte[] cmd = ("touch " + marker).getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(cmd.length).array());
        p.writeBytes(cmd);
        p.write(0x85); // TUPLE1
        p.write('R');
        p.write('.');
        Path evil = tmp.resolve("evil.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(p.toByteArray());
            z.closeEntry();
        }
        assertThatThrownBy(() -> StateDict.load(evil))
                .isInstanceOf(ForbiddenGlobalException.class)
                .hasMessageContaining("posix.system")
                .hasMessageContaining(evil.toString());
        assertThat(marker).doesNotExist();
        // the same through the STACK_GLOBAL opcode (protocol 4) and with builtins.eval
        byte[] stackGlobal = {(byte) 0x80, 4, (byte) 0x8c, 8, 'b', 'u', 'i', 'l', 't', 'i', 'n', 's', (byte) 0x8c, 4, 'e', 'v', 'a', 'l',
                (byte) 0x93, (byte) 0x8c, 1, '1', (byte) 0x85, 'R', '.'};
        assertThatThrownBy(() -> new PickleReader(TorchCheckpoint.allowList(), null).load(ByteBuffer.wrap(stackGlobal)))
                .isInstanceOf(ForbiddenGlobalException.class)
                .hasMessageContaining("builtins.eval");
    }

    @Test
    void roundTripWriteThenReadIsExact() {
        Random r = new Random(7);
        Map<String, Tensor> m = new LinkedHashMap<>();
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        m.put("features.init_block.conv.weight", Tensor.ofFloats(new long[] {4, 3, 3, 3}, w));
        m.put("features.init_block.bn.num_batches_tracked", Tensor.ofLongs(new long[] {}, new long[] {123456789012L}));
        m.put("output.bias", Tensor.ofFloats(new long[] {3}, new float[] {Float.MIN_VALUE, -0f, Float.MAX_VALUE}));
        Path f = tmp.resolve("sd.pth");
        new StateDict(m).save(f);
        StateDict back = StateDict.load(f);
        assertThat(back.keys()).containsExactlyElementsOf(m.keySet());
        m.forEach((k, v) -> assertThat(back.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void realCheckpointsOfAllThreeFormatsLoad() {
        StateDict zip = StateDict.load(Shared.require("weights/cifar100/cifar100_resnet56-f2eff4c8.pt"));
        assertThat(zip.get("conv1.weight").shape()).containsExactly(16, 3, 3, 3);
        assertThat(zip.get("fc.weight").shape()).containsExactly(100, 64);
        StateDict newer = StateDict.load(Shared.require("weights/cifar100/ace_resnet32_cifar100.pt"));
        assertThat(newer.keys()).contains("layer3.4.bn2.running_var");
        StateDict legacy = StateDict.load(Shared.require("weights/cifar10/resnet20-12fca82f.th"));
        assertThat(legacy.keys()).contains("conv1.weight", "linear.weight").noneMatch(k -> k.startsWith("module."));
        assertThat(legacy.get("linear.weight").shape()).containsExactly(10, 64);
    }

    @Test
    void garbageIsOneClearError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.pt");
        Files.writeString(f, "hello");
        assertThatThrownBy(() -> StateDict.load(f)).isInstanceOf(UserError.class).hasMessageContaining("not a PyTorch checkpoint");
        Path truncated = dir.resolve("t.pt");
        byte[] real;
        try {
            real = Files.readAllBytes(resource("tiny_legacy.th"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Files.write(truncated, java.util.Arrays.copyOf(real, real.length - 20));
        assertThatThrownBy(() -> StateDict.load(truncated)).isInstanceOf(UserError.class).hasMessageContaining(truncated.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void pickleBasicsDecode() {
        // pickle.dumps({'a': [1, -2, 3.5, None, True], 'b': (b'xy',), 'c': 2**70, 'd': -300000}, protocol=3)
        byte[] b = hex("80037d71002858010000006171015d7102284b014afeffffff47400c0000000000004e8865580100000062710343027879710485710558010000006371068a0900000000000000004058010000006471074a206cfbff752e");
        Object o = new PickleReader(Map.of(), null).load(ByteBuffer.wrap(b));
        assertThat(o).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) o;
        assertThat((List<Object>) m.get("a")).containsExactly(1L, -2L, 3.5, null, true);
        assertThat((byte[]) ((List<?>) m.get("b")).get(0)).containsExactly('x', 'y');
        assertThat(m.get("c")).isEqualTo(java.math.BigInteger.TWO.pow(70));
        assertThat(m.get("d")).isEqualTo(-300000L);
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
