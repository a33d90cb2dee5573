package io.advkit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.GradientPipeline;
import io.advkit.attack.Loss;
import io.advkit.attack.PGD;
import io.advkit.attack.StepSize;
import io.advkit.attack.ThreatModel;
import io.advkit.data.Batch;
import io.advkit.data.ImageSet;
import io.advkit.data.Batches;
import io.advkit.model.Classifier;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The loss landscape under attack (Madry et al. 2018, Figure 1): PGD from many uniformly random starts in the ε-ball of
 * each image, and the distribution of the final cross-entropy losses. For standard and adversarially trained models
 * alike the maxima PGD finds are concentrated (no outlier start does much better: first-order attacks find what there
 * is), and they are far higher for a standard model. Restarts of one image run as one batch of copies.
 */
public final class Landscape {
    public record Config(String model, String data, String norm, double eps, double eps255, int steps, double alphaOverEps, int restarts,
                         long seed) {}

    /** One image: its final losses (one per start), their summary, and the fraction of starts that ended misclassified. */
    public record Image(String name, int label, double min, double median, double max, double mean, double std, double fooled,
                        float[] losses) {}

    public record Result(String kind, Config config, List<Image> images, double seconds, RunInfo run) {}

    private Landscape() {}

    public static Result run(Classifier model, ImageSet set, ThreatModel threat, int steps, int restarts, int batchSize, long seed,
                             boolean quiet) {
        long started = System.currentTimeMillis();
        PGD pgd = new PGD(steps, StepSize.ofEps(2.5 / steps), GradientPipeline.PLAIN); // Madry et al.: α = 2.5·ε/steps, random start
        List<Image> images = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager();
             Progress bar = Progress.items("landscape", (long) set.size() * restarts, "start", quiet)) {
            int i = -1;
            for (Batch one : new Batches(set, 1)) {
                i++;
                float[] losses = new float[restarts];
                int fooled = 0;
                for (int from = 0; from < restarts; from += batchSize) {
                    int n = Math.min(batchSize, restarts - from);
                    try (NDManager m = root.newSubManager()) {
                        NDArray x = one.toNDArray(m).repeat(0, n);
                        NDArray y = one.labelsNDArray(m).toType(DataType.INT64, false).repeat(0, n);
                        Random rng = new Random(seed ^ (31L * i + from));
                        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, threat, rng, m);
                        NDArray adv = pgd.run(p);
                        NDArray z = model.logits(adv);
                        float[] l = Loss.CE.perExample(z, y).toFloatArray();
                        System.arraycopy(l, 0, losses, from, n);
                        long[] pred = z.argMax(1).toLongArray();
                        for (long c : pred) {
                            fooled += c != set.label(i) ? 1 : 0;
                        }
                    }
                    bar.step(n);
                }
                images.add(summary(set.name(i), set.label(i), losses, fooled));
            }
        }
        Config c = new Config(model.name(), set.describe(), threat.norm().toString(), threat.eps(), threat.eps255(), steps, 2.5 / steps,
                restarts, seed);
        return new Result("landscape", c, images, (System.currentTimeMillis() - started) / 1000.0, RunInfo.now());
    }

    static Image summary(String name, int label, float[] losses, int fooled) {
        float[] sorted = losses.clone();
        Arrays.sort(sorted);
        double mean = 0;
        for (float v : losses) {
            mean += v;
        }
        mean /= losses.length;
        double var = 0;
        for (float v : losses) {
            var += (v - mean) * (v - mean);
        }
        return new Image(name, label, sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1], mean, Math.sqrt(var / losses.length),
                100.0 * fooled / losses.length, losses);
    }
}
