package io.advkit.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each symptom fires on a constructed case that has it and stays quiet on one that does not. */
class SymptomsTest {
    private static boolean[] fooled(int n, int... which) {
        boolean[] b = new boolean[n];
        for (int i : which) {
            b[i] = true;
        }
        return b;
    }

    /** A healthy evaluation: iterative ⊇ one-step, white-box ⊇ transfer, Square ⊇ random, unbounded all, success rising with ε. */
    private static Symptoms.Outcomes healthy() {
        int n = 4;
        return new Symptoms.Outcomes(fooled(n, 0), fooled(n, 0, 1, 2), fooled(n, 0, 1), fooled(n, 0), fooled(n, 0, 1, 2), fooled(n, 0, 1, 2, 3),
                fooled(n, 1), fooled(n, 0, 1, 2), new double[] {1, 4, 16}, new double[] {20, 50, 90});
    }

    private static boolean flagged(List<Symptoms.Check> checks, int number) {
        return checks.stream().filter(c -> c.symptom() == number).findFirst().orElseThrow().flagged();
    }

    @Test
    void quietOnAHealthyEvaluation() {
        List<Symptoms.Check> c = Symptoms.check(healthy());
        for (int s = 1; s <= 5; s++) {
            assertThat(flagged(c, s)).as("symptom " + s).isFalse();
        }
    }

    @Test
    void eachSymptomFiresOnItsCase() {
        Symptoms.Outcomes h = healthy();
        int n = 4;
        // (1) FGSM fools more than PGD
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(fooled(n, 0, 1, 3), fooled(n, 0), h.transfer(), h.gradientFree(), h.whiteBox(),
                h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), h.sweepSuccess())), 1)).isTrue();
        // (2) transfer fools more than white-box
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), fooled(n, 0, 1, 2, 3), h.gradientFree(), fooled(n, 0),
                h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), h.sweepSuccess())), 2)).isTrue();
        // (2) the gradient-free Square fools more than white-box PGD: the gradients are masked
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), h.transfer(), fooled(n, 0, 1, 2, 3), h.whiteBox(),
                h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), h.sweepSuccess())), 2)).isTrue();
        // (2) with no transfer row (no defense in front of the model), from the gradient-free row alone
        List<Symptoms.Check> noTransfer = Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), null, fooled(n, 0, 1, 2, 3),
                h.whiteBox(), h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), h.sweepSuccess()));
        assertThat(flagged(noTransfer, 2)).isTrue();
        assertThat(noTransfer.get(1).evidence()).isEqualTo("gradient-free (Square, SPSA: scores only) 4/4, white-box PGD 3/4");
        // (3) unbounded misses an image
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), h.transfer(), h.gradientFree(), h.whiteBox(),
                fooled(n, 0, 1, 2), h.random(), h.gradientAttacks(), h.sweepEps255(), h.sweepSuccess())), 3)).isTrue();
        // (4) random noise fools an image the gradient attacks missed
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), h.transfer(), h.gradientFree(), h.whiteBox(),
                h.unbounded(), fooled(n, 3), fooled(n, 0, 1, 2), h.sweepEps255(), h.sweepSuccess())), 4)).isTrue();
        // (5) success flat across ε, and success falling as ε grows
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), h.transfer(), h.gradientFree(), h.whiteBox(),
                h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), new double[] {12, 13, 12.5})), 5)).isTrue();
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), h.transfer(), h.gradientFree(), h.whiteBox(),
                h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), new double[] {30, 60, 40})), 5)).isTrue();
        // an undefended model saturated at 100% from the smallest ε is not flat in the symptom's sense
        assertThat(flagged(Symptoms.check(new Symptoms.Outcomes(h.oneStep(), h.iterative(), h.transfer(), h.gradientFree(), h.whiteBox(),
                h.unbounded(), h.random(), h.gradientAttacks(), h.sweepEps255(), new double[] {99.5, 100, 100})), 5)).isFalse();
    }
}
