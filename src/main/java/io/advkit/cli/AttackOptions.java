package io.advkit.cli;

import io.advkit.attack.Attack;
import io.advkit.attack.AttackSettings;
import io.advkit.attack.Attacks;
import io.advkit.attack.Loss;
import io.advkit.attack.StepSize;
import io.advkit.attack.Target;
import io.advkit.attack.ThreatModel;
import picocli.CommandLine.Option;

/** The threat model and an attack's hyper-parameters, as options. */
public class AttackOptions {
    @Option(names = {"-a", "--attack"}, defaultValue = "pgd", completionCandidates = Names.AttackNames.class,
            description = "a base attack, optionally with modifiers (e.g. mi-di-ti); bases and modifiers: ${COMPLETION-CANDIDATES} "
                    + "(advkit list attacks). Default ${DEFAULT-VALUE}")
    String attack;

    @Option(names = "--norm", defaultValue = "linf", description = "linf, l2 or l1 (default ${DEFAULT-VALUE})")
    String norm;

    @Option(names = "--eps", defaultValue = "8", description = "budget; on the 0..255 scale by default (8 = 8/255), or \"8/255\" (default ${DEFAULT-VALUE})")
    String eps;

    @Option(names = "--eps-scale", defaultValue = "255", description = "255: --eps/--alpha in 0..255 units; 1: in [0,1] units")
    double epsScale;

    @Option(names = "--steps", description = "iterations (defaults: 1 for fgsm, 10 for iterative attacks, 100 for apgd)")
    Integer steps;

    @Option(names = "--alpha", description = "step size, same units as --eps (defaults: eps/steps; pgd 2.5*eps/steps)")
    Double alpha;

    @Option(names = "--restarts", description = "pgd/apgd restarts keeping each image's best (default 1)")
    Integer restarts;

    @Option(names = "--decay", defaultValue = "1.0", description = "momentum decay mu for mi/ni/vmi (default ${DEFAULT-VALUE})")
    double decay;

    @Option(names = "--di-prob", defaultValue = "0.5", description = "input diversity probability p (default ${DEFAULT-VALUE})")
    double diProb;

    @Option(names = "--di-resize", defaultValue = "0.9", description = "input diversity: smallest side as a fraction (default ${DEFAULT-VALUE})")
    double diResize;

    @Option(names = "--ti-kernel", defaultValue = "7", description = "translation-invariance Gaussian kernel size (default ${DEFAULT-VALUE})")
    int tiKernel;

    @Option(names = "--vmi-samples", defaultValue = "20", description = "VMI neighbourhood samples N (default ${DEFAULT-VALUE})")
    int vmiSamples;

    @Option(names = "--vmi-beta", defaultValue = "1.5", description = "VMI neighbourhood radius beta, times eps (default ${DEFAULT-VALUE})")
    double vmiBeta;

    @Option(names = "--targets", defaultValue = "9", description = "target classes tried by apgd-t, the runner-up first (default ${DEFAULT-VALUE})")
    int targets;

    @Option(names = "--queries", defaultValue = "5000", description = "square's query budget per image (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--sgm-gamma", defaultValue = "0.5", description = "sgm: share of the gradient through residual branches (default ${DEFAULT-VALUE})")
    double sgmGamma;

    @Option(names = "--linbp-stage", defaultValue = "3", description = "linbp: first stage whose ReLUs pass gradients linearly (default ${DEFAULT-VALUE})")
    int linbpStage;

    @Option(names = "--si-copies", defaultValue = "5", description = "si and admix: scaled copies x/2^i, i < m (default ${DEFAULT-VALUE})")
    int siCopies;

    @Option(names = "--admix-strength", defaultValue = "0.2", description = "admix: eta, the share of the other image (default ${DEFAULT-VALUE})")
    double admixStrength;

    @Option(names = "--admix-images", defaultValue = "3", description = "admix: other images mixed in per gradient (default ${DEFAULT-VALUE})")
    int admixImages;

    @Option(names = "--ghost-erosion", defaultValue = "0.22", description = "ghost: skip connections scaled by U[1-tau, 1+tau] (default ${DEFAULT-VALUE})")
    double ghostErosion;

    @Option(names = "--ila-stage", defaultValue = "3", description = "ila: the layer, as the input of this stage (default ${DEFAULT-VALUE})")
    int ilaStage;

    @Option(names = "--ila-steps", defaultValue = "20", description = "ila: fine-tuning steps of eps/10 (default ${DEFAULT-VALUE})")
    int ilaSteps;

    @Option(names = "--svre-inner", defaultValue = "0", description = "svre: inner steps per step; 0: 4 per surrogate, as Xiong et al. (default ${DEFAULT-VALUE})")
    int svreInner;

    @Option(names = "--cwa-reverse", defaultValue = "0.0667", description = "cwa: the step back from the ensemble's gradient, times eps (default ${DEFAULT-VALUE}, Chen et al.: 1/15)")
    double cwaReverse;

    @Option(names = "--cwa-inner", defaultValue = "10", description = "cwa: the members' walk step, times the eps-ball's largest L2 norm, eps*sqrt(pixels) in linf (default ${DEFAULT-VALUE})")
    double cwaInner;

    @Option(names = "--loss", defaultValue = "ce", description = "ce, cw or dlr (default ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--target", defaultValue = "none", description = "none, random, least-likely, or a file of NAME LABEL lines (default ${DEFAULT-VALUE})")
    String target;

    ThreatModel threat() {
        return ThreatModel.parse(norm, eps, epsScale);
    }

    AttackSettings settings() {
        return new AttackSettings(steps, alpha == null ? null : StepSize.absolute(alpha / epsScale), restarts, decay, diProb, diResize,
                tiKernel, AttackSettings.DEFAULTS.tiNsig(), vmiSamples, vmiBeta, targets, queries,
                new AttackSettings.Transfer(sgmGamma, linbpStage, siCopies, admixStrength, admixImages, ghostErosion, ilaStage, ilaSteps,
                        svreInner, cwaReverse, cwaInner));
    }

    Attack build() {
        return Attacks.build(attack, settings());
    }

    Loss lossFunction() {
        return Loss.named(loss);
    }

    Target targetChoice() {
        return Target.parse(target);
    }
}
