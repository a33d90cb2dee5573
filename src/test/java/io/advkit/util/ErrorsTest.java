package io.advkit.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Shared;
import io.advkit.checkpoint.StateDict;
import io.advkit.model.ModelZoo;
import io.advkit.model.WeightsResolver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures whose exceptions carry no message still say what happened, never "(null)". */
class ErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void aTruncatedLegacyCheckpointSaysSo() throws IOException {
        byte[] real = Files.readAllBytes(Shared.require("weights/cifar10/resnet20-12fca82f.th"));
        Path cut = tmp.resolve("cut.th");
        Files.write(cut, java.util.Arrays.copyOf(real, real.length - 1000));
        assertThatThrownBy(() -> StateDict.load(cut)).isInstanceOf(UserError.class)
                .hasMessageContaining("truncated").hasMessageNotContaining("null");
    }

    @Test
    void aRefusedDownloadSaysSo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connecting is refused
        }
        WeightsResolver r = new WeightsResolver(tmp, List.of(), "http://127.0.0.1:" + port, true); // tmp as the home: no cache
        var entry = ModelZoo.get("resnet20_cifar10");
        assertThatThrownBy(() -> r.resolve(entry)).isInstanceOf(UserError.class)
                .hasMessageContaining("connection refused").hasMessageNotContaining("null");
    }

    @Test
    void messagesNameTheKindWhenThereIsNoMessage() {
        assertThat(Errors.describe(new java.io.EOFException())).isEqualTo("the data ends too early; truncated?");
        assertThat(Errors.describe(new IllegalStateException())).isEqualTo("illegal state");
        assertThat(Errors.describe(new IOException("disk full"))).isEqualTo("disk full");
    }
}
