package io.advkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.advkit.checkpoint.StateDict;
import io.advkit.checkpoint.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent exactly as torch.optim.SGD computes it, so recipes carry over:
 * d = ∇w + λ·w; b ← μ·b + d (b = d at the first step); d ← d + μ·b (Nesterov) or b; w ← w − η·d.
 * Momentum buffers are kept by parameter name and saved in checkpoints, so a resumed run continues exactly.
 */
public final class Sgd {
    private final Map<String, Parameter> params;
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final NDManager manager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private long steps;

    /** @param params trainable parameters by name (running statistics are left out) */
    public Sgd(Map<String, Parameter> params, double momentum, double weightDecay, boolean nesterov, NDManager manager) {
        this.params = params;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.manager = manager;
    }

    /** SGD over a model's learnable parameters (BatchNorm running statistics are left out). */
    public static Sgd forModel(io.advkit.model.ZooModel model, double momentum, double weightDecay, boolean nesterov, NDManager manager) {
        return new Sgd(model.net().trainableParameters(), momentum, weightDecay, nesterov, manager);
    }

    /** Applies one update with learning rate {@code lr} from the accumulated gradients, then zeroes them. */
    public void step(double lr) {
        steps++;
        try (NDManager tmp = manager.newSubManager()) {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray w = e.getValue().getArray();
                NDArray buf = buffers.get(e.getKey());
                // DJL attaches a result to its first operand's manager: borrow the long-lived arrays into tmp
                // for this step, so w·λ, μ·b and the rest are freed with it instead of piling up in the model
                w.tempAttach(tmp);
                if (buf != null) {
                    buf.tempAttach(tmp);
                }
                NDArray grad = w.getGradient();
                grad.attach(tmp); // getGradient() hands out a new wrapper each call: free it with the step
                NDArray d = weightDecay != 0 ? grad.add(w.mul(weightDecay)) : grad;
                if (momentum != 0) {
                    if (buf == null) {
                        buf = d.duplicate();
                        buf.attach(manager);
                        buffers.put(e.getKey(), buf);
                    } else {
                        buf.muli(momentum).addi(d);
                    }
                    d = nesterov ? d.add(buf.mul(momentum)) : buf;
                }
                w.subi(d.mul(lr));
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
    }

    /** Updates applied so far (in this process). */
    public long steps() {
        return steps;
    }

    /** Clears accumulated gradients without updating (after a backward whose gradients are not wanted). */
    public void zeroGrad() {
        for (Parameter p : params.values()) {
            JniUtils.zeroGrad((PtNDArray) p.getArray());
        }
    }

    public StateDict state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        buffers.forEach((k, v) -> m.put(k, Tensor.ofFloats(v.getShape().getShape(), v.toFloatArray())));
        return new StateDict(m);
    }

    public void load(StateDict state) {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        for (String k : state.keys()) {
            NDArray a = manager.create(state.get(k).toFloatArray(), new ai.djl.ndarray.types.Shape(state.get(k).shape()));
            NDArray owned = a.duplicate(); // owns its memory, unlike create()'s buffer-backed array
            a.close();
            buffers.put(k, owned);
        }
    }
}
