package io.advkit.cli;

import io.advkit.attack.Attack;
import io.advkit.attack.AttackJob;
import io.advkit.attack.ThreatModel;
import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluation;
import io.advkit.eval.Evaluator;
import io.advkit.data.ImageFolder;
import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.model.ZooModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The homework job: attack a folder with surrogates and save the perturbed PNGs under the same names. */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attack every image with surrogate model(s); save PNGs under the same names and attack.json. Resumes when re-run.")
public final class AttackCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    AttackOptions attackOptions;

    @Mixin
    DefenseOptions defenseOptions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (must be empty, or this attack's own to resume)")
    Path out;

    @Option(names = {"-s", "--surrogate"}, required = true, paramLabel = "SPEC", description = "surrogate model (repeat for an ensemble); same specs as eval --model")
    List<String> surrogates;

    @Option(names = "--fusion", defaultValue = "loss", description = "ensemble fusion: logits, probs or loss (default ${DEFAULT-VALUE})")
    String fusion;

    @Option(names = "--model-weights", split = ",", paramLabel = "W", description = "ensemble weights, one per surrogate (default equal)")
    float[] modelWeights;

    @Option(names = "--victim", paramLabel = "SPEC", description = "also evaluate these models on the saved images")
    List<String> victims = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--batch-size", defaultValue = "100", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--overwrite", description = "reuse a non-empty --out, discarding an earlier run's records")
    boolean overwrite;

    @Override
    public Integer call() {
        common.apply();
        ImageSet set = dataOptions.open();
        ThreatModel tm = attackOptions.threat();
        Attack attack = attackOptions.spec().build(attackOptions.attack, tm);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("attack", attack.config());
        config.putAll(attackOptions.describe());
        config.put("surrogates", surrogates);
        config.put("fusion", surrogates.size() > 1 ? fusion : null);
        config.put("model_weights", modelWeights);
        config.put("seed", seed);
        if (defenseOptions.defense != null) {
            config.put("defense", Map.of("spec", defenseOptions.defense, "gradients", defenseOptions.gradients, "bpda", defenseOptions.bpda,
                    "eot", defenseOptions.eot, "seed", defenseOptions.defenseSeed));
        }
        config.put("batch_size", batchSize);
        config.put("data", set.describe());
        AttackJob.checkOutput(dataOptions.data, out, overwrite, config);

        List<ZooModel> models = new ArrayList<>();
        try {
            for (String s : surrogates) {
                models.add(common.modelLoader().load(s));
            }
            Classifier model = defenseOptions.wrap(models.size() == 1 ? models.get(0) : new Ensemble(models, modelWeights, Ensemble.Fusion.parse(fusion)));
            AttackJob.Config jc = new AttackJob.Config(attack, tm, attackOptions.lossFunction(), attackOptions.loss,
                    attackOptions.targetChoice(), seed, batchSize, Map.of());
            Map<String, Object> manifest = new AttackJob(set, out, model, models, jc, common.quiet).run(config);
            printSummary(manifest);
        } finally {
            models.forEach(ZooModel::close);
        }
        if (!victims.isEmpty()) {
            ImageSet adv = ImageFolder.open(out, set.classNames());
            System.out.printf("%n%-28s %9s%n", "victim (on saved images)", "accuracy");
            for (String v : victims) {
                try (ZooModel m = common.modelLoader().load(v)) {
                    Evaluation e = Evaluator.evaluate(m, adv, batchSize, common.quiet);
                    System.out.printf("%-28s %8.1f%%%n", e.model(), e.accuracy());
                }
            }
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void printSummary(Map<String, Object> manifest) {
        Map<String, Object> s = (Map<String, Object>) manifest.get("summary");
        System.out.printf("%d images, max L-inf %s/255, mean %.2f/255, %.1f s%n", s.get("images"), s.get("max_linf"),
                ((Number) s.get("mean_linf")).doubleValue(), ((Number) manifest.get("seconds")).doubleValue());
        System.out.printf("%-28s %9s %12s%n", "surrogate", "clean", "adversarial");
        ((Map<String, Map<String, Double>>) s.get("accuracy")).forEach((k, v) ->
                System.out.printf("%-28s %8.1f%% %11.1f%%%n", k, v.get("clean"), v.get("adversarial")));
    }
}
