package io.advkit.attack;

import io.advkit.util.UserError;

/**
 * The hyper-parameters an attack may be built with, by their papers' names; null means the paper's default for
 * the chosen attack (steps: 1 for FGM, 10 for the iterative attacks, 100 for APGD; α: ε/steps, PGD 2.5·ε/steps).
 *
 * @param stepSize α, relative to ε or absolute
 * @param targets  target classes tried by APGD-T and FAB-T (the runner-up first), AutoAttack's 9
 * @param queries  Square's query budget per image, AutoAttack's 5,000
 */
public record AttackSettings(Integer steps, StepSize stepSize, Integer restarts, double decay, double diProb, double diResize,
                             int tiKernel, double tiNsig, int vmiSamples, double vmiBeta, int targets, int queries) {
    public static final AttackSettings DEFAULTS = new AttackSettings(null, null, null, 1.0, 0.5, 0.9, 7, 3, 20, 1.5, 9, 5000);

    public AttackSettings {
        if (steps != null && steps < 1) {
            throw UserError.invalid("steps", "an attack needs at least 1 step, got " + steps);
        }
        if (restarts != null && restarts < 1) {
            throw UserError.invalid("restarts", "restarts must be at least 1, got " + restarts);
        }
    }

    public AttackSettings withSteps(Integer s) {
        return new AttackSettings(s, stepSize, restarts, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, targets, queries);
    }

    public AttackSettings withQueries(int q) {
        return new AttackSettings(steps, stepSize, restarts, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, targets, q);
    }

    public AttackSettings withTargets(int t) {
        return new AttackSettings(steps, stepSize, restarts, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, t, queries);
    }

    public AttackSettings withRestarts(Integer r) {
        return new AttackSettings(steps, stepSize, r, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, targets, queries);
    }

    /** The steps asked for, or the attack's default. */
    int stepsOr(int byDefault) {
        return steps == null ? byDefault : steps;
    }

    /** The step size asked for, or {@code timesEps}·ε/steps. */
    StepSize stepSizeOr(double timesEps, int steps) {
        return stepSize != null ? stepSize : StepSize.ofEps(timesEps / steps);
    }

    int restartsOr(int byDefault) {
        return restarts == null ? byDefault : restarts;
    }
}
