package io.advkit.attack;

import io.advkit.util.UserError;

/**
 * The hyper-parameters an attack may be built with, by their papers' names; null means the paper's default for
 * the chosen attack (steps: 1 for FGM, 10 for the iterative attacks, 100 for APGD; α: ε/steps, PGD 2.5·ε/steps).
 *
 * @param stepSize α, relative to ε or absolute
 * @param targets  target classes tried by APGD-T and FAB-T (the runner-up first), AutoAttack's 9
 * @param queries  Square's query budget per image, AutoAttack's 5,000
 * @param transfer the surrogate-side methods' settings (SGM, LinBP, SI, Admix)
 */
public record AttackSettings(Integer steps, StepSize stepSize, Integer restarts, double decay, double diProb, double diResize,
                             int tiKernel, double tiNsig, int vmiSamples, double vmiBeta, int targets, int queries, Transfer transfer) {
    public static final AttackSettings DEFAULTS = new AttackSettings(null, null, null, 1.0, 0.5, 0.9, 7, 3, 20, 1.5, 9, 5000, Transfer.DEFAULTS);

    /**
     * @param sgmGamma      SGM's share of the gradient through residual branches (Wu et al.: 0.2 for ResNet-50 on ImageNet)
     * @param linbpStage    LinBP's first linear stage (Guo et al.: the third of ResNet-50's four)
     * @param siCopies      SI's scaled copies x/2^i, i &lt; m (Lin et al.: m = 5)
     * @param admixStrength Admix's η, the share of another image mixed in (Wang et al.: 0.2)
     * @param admixImages   Admix's m2, images mixed in per gradient (Wang et al.: 3)
     * @param ghostErosion  ghost networks' τ: skip connections scaled by U[1 − τ, 1 + τ] per forward (Li et al.: 0.22)
     * @param ilaStage      ILA's layer: the input of this stage
     * @param ilaSteps      ILA's fine-tuning steps, each ε/10 (Huang et al.: 10–20 steps)
     * @param svreInner     SVRE's inner steps per outer step; 0 for 4 per ensemble member (Xiong et al.)
     * @param cwaReverse    CWA's step back from the ensemble's gradient, times ε (Chen et al.: 1/15, here 0.0667)
     * @param cwaInner      CWA's step along the members' momentum, times the ε-ball's largest L2 norm (Chen et al.'s code: 10.3)
     */
    public record Transfer(double sgmGamma, int linbpStage, int siCopies, double admixStrength, int admixImages, double ghostErosion,
                           int ilaStage, int ilaSteps, int svreInner, double cwaReverse, double cwaInner) {
        public static final Transfer DEFAULTS = new Transfer(0.5, 3, 5, 0.2, 3, 0.22, 3, 20, 0, 0.0667, 10);

        public Transfer {
            if (siCopies < 1 || admixImages < 1) {
                throw UserError.invalid(siCopies < 1 ? "si copies" : "admix images", "SI and Admix need at least 1 copy, got "
                        + Math.min(siCopies, admixImages));
            }
            if (!(admixStrength >= 0 && admixStrength <= 1)) {
                throw UserError.invalid("admix strength", "Admix's eta is a share in [0, 1], got " + admixStrength);
            }
        }
    }

    public AttackSettings {
        if (steps != null && steps < 1) {
            throw UserError.invalid("steps", "an attack needs at least 1 step, got " + steps);
        }
        if (restarts != null && restarts < 1) {
            throw UserError.invalid("restarts", "restarts must be at least 1, got " + restarts);
        }
    }

    public AttackSettings withSteps(Integer s) {
        return new AttackSettings(s, stepSize, restarts, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, targets, queries, transfer);
    }

    public AttackSettings withQueries(int q) {
        return new AttackSettings(steps, stepSize, restarts, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, targets, q, transfer);
    }

    public AttackSettings withTargets(int t) {
        return new AttackSettings(steps, stepSize, restarts, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, t, queries, transfer);
    }

    public AttackSettings withRestarts(Integer r) {
        return new AttackSettings(steps, stepSize, r, decay, diProb, diResize, tiKernel, tiNsig, vmiSamples, vmiBeta, targets, queries, transfer);
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
