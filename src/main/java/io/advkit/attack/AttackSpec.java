package io.advkit.attack;

import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds an attack from its name and hyper-parameters. Names compose with "-": a base (fgsm/fgm, bim/ifgsm,
 * pgd, mi, ni, vmi, vni, apgd-ce, apgd-dlr) and modifiers di (input diversity) and ti (translation
 * invariance), e.g. "mi-di-ti", "vni-di-ti", "pgd-di". A name of modifiers only ("di", "di-ti") uses BIM.
 * Unset hyper-parameters take their papers' defaults for the base.
 */
public final class AttackSpec {
    public static final List<String> BASES = List.of("fgsm", "fgm", "bim", "ifgsm", "pgd", "mi", "ni", "vmi", "vni", "apgd-ce", "apgd-dlr");

    public Integer steps;
    /** step size on the [0,1] scale */
    public Double alpha;
    public Integer restarts;
    public Boolean randomStart;
    public double decay = 1.0;
    public double diProb = 0.5;
    public double diResize = 0.9;
    public int tiKernel = 7;
    public double tiNsig = 3;
    public int vmiSamples = 20;
    public double vmiBeta = 1.5;

    public Attack build(String name, ThreatModel tm) {
        String n = name.toLowerCase(Locale.ROOT).strip();
        if (n.equals("apgd-ce") || n.equals("apgd")) {
            return new APGD(steps == null ? 100 : steps, restarts == null ? 1 : restarts, Loss.CE, "apgd-ce");
        }
        if (n.equals("apgd-dlr")) {
            return new APGD(steps == null ? 100 : steps, restarts == null ? 1 : restarts, Loss.DLR, "apgd-dlr");
        }
        Set<String> tokens = new LinkedHashSet<>(Arrays.asList(n.split("-")));
        boolean di = tokens.remove("di");
        boolean ti = tokens.remove("ti");
        tokens.remove("fgsm"); // "mi-fgsm", "di-fgsm" name the family; a lone "fgsm" means one step (below)
        String base = tokens.isEmpty() ? (n.equals("fgsm") ? "fgm" : "bim") : tokens.iterator().next();
        if (tokens.size() > 1) {
            throw new UserError("attack '" + name + "': more than one base attack in " + tokens + "; bases: " + BASES);
        }
        double eps = tm.eps();
        int t = steps == null ? (base.equals("fgm") ? 1 : 10) : steps;
        IterativeAttack a = switch (base) {
            case "fgm" -> new FGM(eps);
            case "bim", "ifgsm", "i" -> new BIM(t, alpha(eps / t));
            case "pgd" -> new PGD(t, alpha(2.5 * eps / t), restarts == null ? 1 : restarts);
            case "mi", "mifgsm" -> new MIFGSM(t, alpha(eps / t), decay);
            case "ni", "nifgsm" -> new NIFGSM(t, alpha(eps / t), decay);
            case "vmi", "vmifgsm" -> new VMIFGSM(t, alpha(eps / t), decay, vmiSamples, vmiBeta, eps, false);
            case "vni", "vnifgsm" -> new VMIFGSM(t, alpha(eps / t), decay, vmiSamples, vmiBeta, eps, true);
            default -> throw new UserError("unknown attack '" + name + "'; bases: " + BASES + ", modifiers: di, ti");
        };
        if (di) {
            a.withInputTransform(new InputDiversity(diProb, diResize));
        }
        if (ti) {
            a.withGradientFilter(new TranslationInvariance(tiKernel, tiNsig));
        }
        return new Named(a, canonical(base, di, ti));
    }

    private double alpha(double byDefault) {
        return alpha == null ? byDefault : alpha;
    }

    private static String canonical(String base, boolean di, boolean ti) {
        List<String> parts = new ArrayList<>(List.of(base));
        if (di) {
            parts.add("di");
        }
        if (ti) {
            parts.add("ti");
        }
        return String.join("-", parts);
    }

    /** The attack under its composed name ("mi-di-ti"). */
    private record Named(IterativeAttack inner, String name) implements Attack {
        @Override
        public ai.djl.ndarray.NDArray run(AttackProblem p) {
            return inner.run(p);
        }

        @Override
        public java.util.Map<String, Object> config() {
            java.util.Map<String, Object> m = inner.config();
            m.put("attack", name);
            return m;
        }
    }
}
