package io.advkit.cli;

import io.advkit.attack.Attack;
import io.advkit.attack.AttackJob;
import io.advkit.attack.Loss;
import io.advkit.attack.Target;
import io.advkit.attack.ThreatModel;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.defense.DefenseSpec;
import io.advkit.dist.Cluster;
import io.advkit.dist.ShardedJob;
import io.advkit.eval.Evaluation;
import io.advkit.eval.Evaluator;
import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.model.LoadedClassifier;
import io.advkit.model.ModelFamily;
import io.advkit.model.ModelLoader;
import io.advkit.util.Interruption;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The homework job: attack a folder with surrogates and save the perturbed PNGs under the same names. */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attack every image with surrogate model(s); save PNGs under the same names and attack.json. Resumes when re-run.")
public final class AttackCommand implements Callable<Integer>, Shards.Sharded {
    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

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

    @Option(names = "--robust-to", split = ",", paramLabel = "STEP",
            description = "make the examples survive victims that may preprocess with any of these steps (e.g. jpeg:75,bitdepth:5,resize-pad:36): "
                    + "EoT (--eot draws) over none or one of them, drawn per gradient, BPDA (--bpda) through the non-differentiable ones")
    List<String> robustTo;

    @Option(names = "--fusion", description = "ensemble fusion: logits, probs or loss (default loss; needs several -s)")
    String fusion;

    @Option(names = "--model-weights", split = ",", paramLabel = "W", description = "ensemble weights, one per surrogate (default equal; needs several -s)")
    float[] modelWeights;

    @Option(names = "--balance-families", description = "every design family of the surrogates weighs the same in the ensemble, "
            + "shared evenly by its members (e.g. three ResNets and a ShuffleNet: 1/6 each and 1/2); instead of --model-weights")
    boolean balanceFamilies;

    @Option(names = {"-v", "--victim"}, paramLabel = "SPEC", description = "also evaluate these models on the saved images (recorded in attack.json)")
    List<String> victims = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--batch-size", defaultValue = "100", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--overwrite", description = "reuse a non-empty --out, discarding an earlier run's records")
    boolean overwrite;

    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    /** Everything the settings decide, checked before anything is loaded or written. */
    private record Plan(ImageSet set, ThreatModel threat, Attack attack, Loss loss, Target target, Ensemble.Fusion fusion, DefenseSpec defense,
                        AttackJob.Config config) {}

    private Plan plan() {
        ImageSet set = dataOptions.open();
        ThreatModel tm = attackOptions.threat();
        Attack attack = attackOptions.build();
        Loss loss = attackOptions.lossFunction();
        Target target = attackOptions.targetChoice();
        Ensemble.Fusion fused = Ensemble.Fusion.parse(fusion == null ? "loss" : fusion);
        if (surrogates.size() == 1 && (fusion != null || modelWeights != null || balanceFamilies)) {
            throw new UserError((fusion != null ? "--fusion" : modelWeights != null ? "--model-weights" : "--balance-families")
                    + " combines several surrogates; give more than one -s, or leave it out");
        }
        if (balanceFamilies && modelWeights != null) {
            throw new UserError("--balance-families sets the ensemble weights itself; give it or --model-weights, not both");
        }
        float[] weights = balanceFamilies ? ModelFamily.balancedWeights(surrogates) : modelWeights;
        if (batchSize < 1) {
            throw new UserError("--batch-size must be at least 1, got " + batchSize);
        }
        cluster.check(batchSize);
        DefenseSpec defense = defenseOptions.spec();
        if (robustTo != null) {
            if (defense != null) {
                throw new UserError("--robust-to makes the surrogates' examples survive preprocessing, --defense attacks a defended model; give one");
            }
            defense = new DefenseSpec("none|" + String.join("|", robustTo), "eot", defenseOptions.bpda, defenseOptions.eot, defenseOptions.defenseSeed);
        }
        AttackJob.Config config = new AttackJob.Config(attack.params(), tm.norm().toString(), tm.eps(), tm.eps255(), attackOptions.loss,
                attackOptions.target, surrogates, surrogates.size() > 1 ? fused.name().toLowerCase(java.util.Locale.ROOT) : null,
                weights, defense, seed, batchSize, set.describe());
        return new Plan(set, tm, attack, loss, target, fused, defense, config);
    }

    /** The job on loaded surrogates, writing into {@code folder}; refuses an attack the models cannot take. */
    private AttackJob job(Plan p, List<LoadedClassifier> models, Path folder, boolean quietly) {
        Classifier ensemble = models.size() == 1 ? models.get(0) : new Ensemble(models, p.config().modelWeights(), p.fusion());
        Classifier model = p.defense() == null ? ensemble : p.defense().wrap(ensemble);
        p.attack().requireUsableOn(model);
        Evaluator.check(model, p.set());
        AttackJob.Setup setup = new AttackJob.Setup(p.attack(), p.threat(), p.loss(), p.target(), seed, batchSize);
        return new AttackJob(p.set(), dataOptions.data, folder, model, models, setup, p.config(), quietly);
    }

    @Override
    public Integer call() {
        common.apply();
        Interruption.honour(); // its loops check at every step: a signal stops it there
        Plan p = plan(); // every setting is checked before anything is loaded or written
        AttackJob.checkOutput(dataOptions.data, out, overwrite, p.config());
        for (String v : victims) { // a wrong victim is reported now, not after the attack
            external.loader(common, p.set()).load(v).close();
        }

        List<LoadedClassifier> models = new ArrayList<>();
        AttackJob.Manifest manifest;
        try {
            for (String s : surrogates) {
                models.add(external.loader(common, p.set()).load(s));
            }
            AttackJob job = job(p, models, out, common.quiet);
            manifest = cluster.enabled() ? onCluster(job) : job.run(overwrite);
            printSummary(manifest);
        } finally {
            models.forEach(LoadedClassifier::close);
        }
        if (!victims.isEmpty()) {
            ImageSet adv = ImageFolder.open(out, p.set().classNames());
            List<AttackJob.VictimAccuracy> results = new ArrayList<>();
            for (String v : victims) {
                try (LoadedClassifier m = external.loader(common, p.set()).load(v)) {
                    Evaluation e = Evaluator.evaluate(m, adv, batchSize, common.quiet);
                    results.add(new AttackJob.VictimAccuracy(e.model(), e.accuracy()));
                }
            }
            String name = Columns.left(28, results.stream().map(AttackJob.VictimAccuracy::model).toList());
            System.out.printf("%n" + name + " %9s%n", "victim (on saved images)", "accuracy");
            results.forEach(r -> System.out.printf(name + " %8.1f%%%n", r.model(), r.accuracy()));
            AttackJob.recordVictims(out, manifest, results);
        }
        return 0;
    }

    /** The driver of a cluster run: the same checks, the batches on the cluster, the same attack.json. */
    private AttackJob.Manifest onCluster(AttackJob job) {
        Instant start = Instant.now();
        job.prepareShards(overwrite); // with overwrite, this removes an earlier attack.json
        java.util.Optional<AttackJob.Manifest> finished = job.finished();
        if (finished.isPresent()) {
            return finished.get(); // a rerun of a finished job: every shard is done
        }
        Cluster.Result r = cluster.run(spec, out, job.batches(), batchSize, common.quiet);
        AttackJob.Manifest m = job.finishShards(r.records(), start, r.resumedBatches());
        Cluster.find().forgetShards(out);
        return m;
    }

    /** A worker's part of a cluster run: this command line's job, models loaded once per process, into {@code scratch}. */
    @Override
    public ShardedJob shardedJob(Path scratch) {
        common.apply();
        Plan p = plan();
        ModelLoader loader = external.loader(common, p.set());
        List<LoadedClassifier> models = new ArrayList<>();
        for (String s : surrogates) {
            models.add(ModelCache.load(loader, s, spec.commandLine().getParseResult().originalArgs()));
        }
        return job(p, models, scratch, true);
    }

    private static void printSummary(AttackJob.Manifest manifest) {
        AttackJob.Summary s = manifest.summary();
        System.out.printf("%d images, max L-inf %d/255, mean %.2f/255, %.1f s%n", s.images(), s.maxLinf(), s.meanLinf(), manifest.seconds());
        AttackJob.Phases t = manifest.phases();
        if (t != null && t.attacking() > 0) {
            System.out.printf("time: attack %.1f s, predictions %.1f s, PNGs %.1f s, decoding %.1f s%n", t.attacking(), t.predicting(), t.saving(), t.loading());
        }
        String name = Columns.left(28, s.accuracy().keySet());
        System.out.printf(name + " %9s %12s%n", "surrogate", "clean", "adversarial");
        s.accuracy().forEach((k, v) -> System.out.printf(name + " %8.1f%% %11.1f%%%n", k, v.clean(), v.adversarial()));
    }
}
