package io.advkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.advkit.checkpoint.StateDict;
import io.advkit.checkpoint.Tensor;
import io.advkit.model.Module;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam exactly as torch.optim.Adam computes it (no weight decay, no AMSGrad): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * w ← w − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε). Moments and the step count are saved in checkpoints, so a resumed run
 * continues exactly. WGAN-GP trains both of its networks with it (Gulrajani et al.: η 1e-4, β₁ 0.5, β₂ 0.9).
 */
public final class Adam {
    private final Map<String, Parameter> params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager manager;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long steps;

    public Adam(Map<String, Parameter> params, double beta1, double beta2, double eps, NDManager manager) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.manager = manager;
    }

    /** Adam over a module's learnable parameters (BatchNorm running statistics are left out). */
    public static Adam forModule(Module module, double beta1, double beta2, NDManager manager) {
        return new Adam(module.trainableParameters(), beta1, beta2, 1e-8, manager);
    }

    /** One update with learning rate {@code lr} from the accumulated gradients, which are then zeroed. */
    public void step(double lr) {
        steps++;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        try (NDManager tmp = manager.newSubManager()) {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray w = e.getValue().getArray();
                w.tempAttach(tmp); // results belong to their first operand's manager: keep the step's temporaries in tmp
                NDArray g = w.getGradient();
                g.attach(tmp);
                NDArray m = first.computeIfAbsent(e.getKey(), k -> owned(w.zerosLike()));
                NDArray v = second.computeIfAbsent(e.getKey(), k -> owned(w.zerosLike()));
                m.tempAttach(tmp);
                v.tempAttach(tmp);
                m.muli(beta1).addi(g.mul(1 - beta1));
                v.muli(beta2).addi(g.square().mul(1 - beta2));
                NDArray denominator = v.div(c2).sqrt().add(eps);
                w.subi(m.div(denominator).mul(lr / c1));
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
    }

    private NDArray owned(NDArray a) {
        NDArray o = a.duplicate();
        o.attach(manager);
        a.close();
        return o;
    }

    /** Clears accumulated gradients without updating (after a backward whose gradients belong to the other network). */
    public void zeroGrad() {
        for (Parameter p : params.values()) {
            JniUtils.zeroGrad((PtNDArray) p.getArray());
        }
    }

    public long steps() {
        return steps;
    }

    /** Moments as "NAME.exp_avg" / "NAME.exp_avg_sq" (torch's names) and the step count. */
    public StateDict state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        first.forEach((k, a) -> out.put(k + ".exp_avg", Tensor.ofFloats(a.getShape().getShape(), a.toFloatArray())));
        second.forEach((k, a) -> out.put(k + ".exp_avg_sq", Tensor.ofFloats(a.getShape().getShape(), a.toFloatArray())));
        out.put("step", Tensor.ofLongs(new long[0], new long[] {steps}));
        return new StateDict(out);
    }

    public void load(StateDict state) {
        first.values().forEach(NDArray::close);
        second.values().forEach(NDArray::close);
        first.clear();
        second.clear();
        for (String k : state.keys()) {
            if (k.equals("step")) {
                steps = state.get(k).toLongArray()[0];
                continue;
            }
            Tensor t = state.get(k);
            NDArray a = manager.create(t.toFloatArray(), new Shape(t.shape()));
            NDArray o = a.duplicate(); // owns its memory, unlike create()'s buffer-backed array
            a.close();
            if (k.endsWith(".exp_avg_sq")) {
                second.put(k.substring(0, k.length() - ".exp_avg_sq".length()), o);
            } else {
                first.put(k.substring(0, k.length() - ".exp_avg".length()), o);
            }
        }
    }
}
