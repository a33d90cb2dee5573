package io.advkit.attack;

import io.advkit.util.Params;

/**
 * What happens around each input gradient of an iterative attack: a random differentiable transform of the input
 * first (input diversity), a filter of the gradient after (translation invariance). These are the "-di" and
 * "-ti" of composed names like "mi-di-ti", and they work with every update rule.
 */
public record GradientPipeline(InputTransform inputTransform, GradientFilter filter) {
    public static final GradientPipeline PLAIN = new GradientPipeline(InputTransform.IDENTITY, GradientFilter.IDENTITY);

    public GradientPipeline withInputTransform(InputTransform t) {
        return new GradientPipeline(t, filter);
    }

    public GradientPipeline withFilter(GradientFilter f) {
        return new GradientPipeline(inputTransform, f);
    }

    /** "-di", "-ti", "-di-ti" or "", appended to the update rule's name. */
    public String suffix() {
        return (inputTransform != InputTransform.IDENTITY ? "-di" : "") + (filter != GradientFilter.IDENTITY ? "-ti" : "");
    }

    Params describe(Params p) {
        Params out = p;
        if (inputTransform != InputTransform.IDENTITY) {
            out = out.and("input_diversity", inputTransform.toString());
        }
        if (filter != GradientFilter.IDENTITY) {
            out = out.and("translation_invariance", filter.toString());
        }
        return out;
    }
}
