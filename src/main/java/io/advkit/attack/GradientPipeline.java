package io.advkit.attack;

import io.advkit.model.BackwardShaping;
import io.advkit.util.Params;

/**
 * What happens around each input gradient of an iterative attack: copies of the input whose gradients are averaged
 * (SI, Admix), a random differentiable transform of each (input diversity), the surrogate's backward reshaped (SGM,
 * LinBP, ghost erosion), and a filter of the gradient after (translation invariance). These are the "-di", "-ti",
 * "-si", "-admix", "-sgm", "-linbp" and "-ghost" of composed names like "mi-di-sgm", and they work with every update rule.
 */
public record GradientPipeline(InputCopies copies, InputTransform inputTransform, BackwardShaping.Rules backward, GradientFilter filter) {
    public static final GradientPipeline PLAIN = new GradientPipeline(InputCopies.SINGLE, InputTransform.IDENTITY,
            BackwardShaping.Rules.NONE, GradientFilter.IDENTITY);

    public GradientPipeline withInputTransform(InputTransform t) {
        return new GradientPipeline(copies, t, backward, filter);
    }

    public GradientPipeline withFilter(GradientFilter f) {
        return new GradientPipeline(copies, inputTransform, backward, f);
    }

    public GradientPipeline withCopies(InputCopies c) {
        if (copies != InputCopies.SINGLE) {
            throw io.advkit.util.UserError.invalid("attack", "admix already averages SI's scaled copies; name one of si, admix");
        }
        return new GradientPipeline(c, inputTransform, backward, filter);
    }

    public GradientPipeline withSkipGamma(double gamma) {
        return new GradientPipeline(copies, inputTransform, new BackwardShaping.Rules(gamma, backward.linearFromStage(), false, backward.skipErosion()), filter);
    }

    public GradientPipeline withLinearFrom(int stage) {
        return new GradientPipeline(copies, inputTransform, new BackwardShaping.Rules(backward.skipGamma(), stage, false, backward.skipErosion()), filter);
    }

    public GradientPipeline withSkipErosion(double tau) {
        return new GradientPipeline(copies, inputTransform, new BackwardShaping.Rules(backward.skipGamma(), backward.linearFromStage(), false, tau), filter);
    }

    /** "-di", "-ti", "-si", "-admix", "-sgm", "-linbp", "-ghost" as present, in the registry's order, appended to the rule's name. */
    public String suffix() {
        return (inputTransform != InputTransform.IDENTITY ? "-di" : "") + (filter != GradientFilter.IDENTITY ? "-ti" : "")
                + (copies instanceof ScaleInvariance ? "-si" : "") + (copies instanceof Admix ? "-admix" : "")
                + (backward.skipGamma() != 1 ? "-sgm" : "") + (backward.linearFromStage() > 0 ? "-linbp" : "")
                + (backward.skipErosion() > 0 ? "-ghost" : "");
    }

    Params describe(Params p) {
        Params out = p;
        if (inputTransform != InputTransform.IDENTITY) {
            out = out.and("input_diversity", inputTransform.toString());
        }
        if (filter != GradientFilter.IDENTITY) {
            out = out.and("translation_invariance", filter.toString());
        }
        if (copies != InputCopies.SINGLE) {
            out = out.and("input_copies", copies.toString());
        }
        if (backward.skipGamma() != 1) {
            out = out.and("sgm_gamma", backward.skipGamma());
        }
        if (backward.linearFromStage() > 0) {
            out = out.and("linbp_from_stage", backward.linearFromStage());
        }
        if (backward.skipErosion() > 0) {
            out = out.and("ghost_skip_erosion", backward.skipErosion());
        }
        return out;
    }
}
