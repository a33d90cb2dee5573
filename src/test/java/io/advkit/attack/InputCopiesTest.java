package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.UserError;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** SI's and Admix's copies are the image sets their papers define; the names compose and are recorded. */
class InputCopiesTest {
    @Test
    void siCopiesAreTheImageScaledByPowersOfAHalf() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 4, 4));
            List<UnaryOperator<NDArray>> copies = new ScaleInvariance(5).draw(x, new Random(0), m);
            assertThat(copies).hasSize(5);
            float[] xs = x.toFloatArray();
            for (int i = 0; i < 5; i++) {
                float[] c = copies.get(i).apply(x).toFloatArray();
                for (int k = 0; k < xs.length; k++) {
                    assertThat(c[k]).isEqualTo(xs[k] / (1 << i));
                }
            }
        }
    }

    @Test
    void admixCopiesAreScaledMixturesWithAnotherImageOfTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 4;
            int per = 3 * 2 * 2;
            NDArray x = m.randomUniform(0, 1, new Shape(n, 3, 2, 2));
            float[] xs = x.toFloatArray();
            List<UnaryOperator<NDArray>> copies = new Admix(2, 3, 0.2).draw(x, new Random(1), m);
            assertThat(copies).hasSize(6); // m1 scales × m2 images
            for (int j = 0; j < 3; j++) {
                float[] first = copies.get(2 * j).apply(x).toFloatArray();
                float[] half = copies.get(2 * j + 1).apply(x).toFloatArray();
                boolean[] used = new boolean[n];
                for (int i = 0; i < n; i++) {
                    // row i is x_i + 0.2·x_p(i) for some row p(i); recover p(i) and check each row is used once
                    int found = -1;
                    for (int p = 0; p < n && found < 0; p++) {
                        boolean match = true;
                        for (int k = 0; k < per && match; k++) {
                            match = Math.abs(first[i * per + k] - (xs[i * per + k] + 0.2f * xs[p * per + k])) < 1e-6;
                        }
                        found = match ? p : -1;
                    }
                    assertThat(found).as("row %d of draw %d mixes in a row of the batch", i, j).isNotNegative();
                    assertThat(used[found]).isFalse();
                    used[found] = true;
                    for (int k = 0; k < per; k++) {
                        assertThat(half[i * per + k]).isCloseTo(first[i * per + k] / 2, org.assertj.core.data.Offset.offset(1e-6f));
                    }
                }
            }
        }
    }

    @Test
    void transferPartsComposeByName() {
        AttackSettings s = AttackSettings.DEFAULTS;
        assertThat(Attacks.build("mi-di-sgm-linbp", s).name()).isEqualTo("mi-di-sgm-linbp");
        assertThat(Attacks.build("linbp-sgm-di-mi", s).name()).isEqualTo("mi-di-sgm-linbp");
        assertThat(Attacks.build("mi-admix", s).name()).isEqualTo("mi-admix");
        assertThat(Attacks.build("ghost-mi-di", s).name()).isEqualTo("mi-di-ghost");
        assertThat(Attacks.build("mi-di-si", s).params().toString()).contains("SI(m=5)");
        assertThatThrownBy(() -> Attacks.build("mi-si-admix", s)).isInstanceOf(UserError.class).hasMessageContaining("one of si, admix");
        assertThat(Arrays.asList(Attacks.names().toArray())).contains("sgm", "linbp", "si", "admix", "ghost");
    }
}
