package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The saved image is integers 0..255 within the budget of the clean image, whatever floats the attack
 * produced (even ones outside the ball or the valid range), for every norm.
 */
class LatticeProperties {
    record Case(int[] clean, float[] adv, double eps255) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> size = Arbitraries.integers().between(1, 300);
        return size.flatMap(n -> Combinators.combine(
                Arbitraries.integers().between(0, 255).array(int[].class).ofSize(n),
                Arbitraries.floats().between(-0.2f, 1.2f).array(float[].class).ofSize(n),
                Arbitraries.doubles().between(0, 40)).as(Case::new));
    }

    @Property(tries = 300)
    void linfRoundingStaysInTheBoxAndIsNearest(@ForAll("cases") Case c) {
        ThreatModel tm = new ThreatModel(Norm.LINF, c.eps255() / 255);
        int[] px = tm.toPixels(c.adv(), c.clean());
        int e = (int) Math.floor(c.eps255() + 1e-6);
        for (int i = 0; i < px.length; i++) {
            int lo = Math.max(0, c.clean()[i] - e);
            int hi = Math.min(255, c.clean()[i] + e);
            assertThat(px[i]).isBetween(lo, hi);
            double want = c.adv()[i] * 255.0;
            if (want >= lo && want <= hi) { // inside the box: the nearest integer, not a truncation
                assertThat(Math.abs(px[i] - want)).isLessThanOrEqualTo(0.5 + 1e-6);
            }
        }
        assertThat(tm.within(px, c.clean())).isTrue();
    }

    @Property(tries = 300)
    void l2AndL1RoundingKeepTheBudget(@ForAll("cases") Case c) {
        for (Norm norm : new Norm[] {Norm.L2, Norm.L1}) {
            // budgets on the [0,1] scale comparable to the perturbation sizes generated
            ThreatModel tm = new ThreatModel(norm, c.eps255() / 255 * Math.sqrt(c.clean().length));
            int[] px = tm.toPixels(c.adv(), c.clean());
            double acc = 0;
            for (int i = 0; i < px.length; i++) {
                assertThat(px[i]).isBetween(0, 255);
                double d = (px[i] - c.clean()[i]) / 255.0;
                acc += norm == Norm.L2 ? d * d : Math.abs(d);
            }
            double dist = norm == Norm.L2 ? Math.sqrt(acc) : acc;
            assertThat(dist).as(norm.toString()).isLessThanOrEqualTo(tm.eps() + 1e-9);
        }
    }

    @Property(tries = 100)
    void anImageAlreadyOnTheLatticeIsKept(@ForAll("cases") Case c) {
        // adv = clean ± up to e exactly representable: rounding must give it back unchanged
        ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
        float[] adv = new float[c.clean().length];
        int[] want = new int[adv.length];
        for (int i = 0; i < adv.length; i++) {
            want[i] = Math.max(0, Math.min(255, c.clean()[i] + (i % 17) - 8));
            adv[i] = want[i] / 255f;
        }
        assertThat(tm.toPixels(adv, c.clean())).containsExactly(want);
    }
}
