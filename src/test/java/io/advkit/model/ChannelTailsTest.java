package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

/**
 * Convolutions whose channel counts are not multiples of 16 ({@link ChannelTails}) compute the closed form
 * y[o, h, w] = b[o] + Σᵢ Σ_kh,kw W[o, i, kh, kw] · x[i, s·h + kh − p, s·w + kw − p]: values, input gradient and weight
 * gradient, for shapes the engine got wrong on the dev VM (17→12, 36→12 at stride 2, a DenseNet's 24→12, an SE
 * squeeze 64→4, a generator's 32→1, the TorchScript fixture's 3→4, 48→64 at stride 2), and a multiple of 32 for
 * contrast, which is not padded. On that machine, without the padding, this test fails by up to half the outputs' scale.
 */
class ChannelTailsTest {
    @Test
    void onlyUngroupedConvolutionsWithATailArePadded() {
        Shape one = new Shape(1, 1);
        Shape two = new Shape(2, 2);
        assertThat(ChannelTails.padded(new Shape(12, 17, 3, 3), 1, one)).isTrue();
        assertThat(ChannelTails.padded(new Shape(4, 3, 3, 3), 1, one)).isTrue(); // output tail (the input-gradient pass)
        assertThat(ChannelTails.padded(new Shape(16, 3, 3, 3), 1, one)).isFalse(); // a stem: up to 16 inputs are read right
        assertThat(ChannelTails.padded(new Shape(64, 32, 3, 3), 1, one)).isFalse();
        assertThat(ChannelTails.padded(new Shape(64, 48, 3, 3), 1, one)).isFalse();
        assertThat(ChannelTails.padded(new Shape(64, 48, 3, 3), 1, two)).isTrue(); // strided: blocks of 32
        assertThat(ChannelTails.padded(new Shape(32, 16, 3, 3), 1, two)).isFalse(); // the ResNets' first strided convolution
        assertThat(ChannelTails.padded(new Shape(128, 4, 3, 3), 32, one)).isFalse(); // ResNeXt's grouped convolutions
    }

    @Test
    void paddedConvolutionsComputeTheClosedForm() {
        int[][] cases = { // in, out, kernel, stride, padding, side
            {17, 12, 3, 1, 1, 8}, {36, 12, 3, 2, 1, 8}, {24, 12, 3, 1, 1, 16}, {64, 4, 1, 1, 0, 8}, {32, 1, 3, 1, 1, 8}, {3, 4, 3, 1, 1, 8},
            {48, 64, 3, 2, 1, 8}, {32, 32, 3, 1, 1, 8}};
        for (int[] c : cases) {
            ConvolutionClosedForm.check(c[0], c[1], c[2], c[3], c[4], c[5]);
        }
    }

}
