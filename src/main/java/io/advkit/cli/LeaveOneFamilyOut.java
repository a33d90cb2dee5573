package io.advkit.cli;

import io.advkit.attack.AttackJob;
import io.advkit.data.ImageFolder;
import io.advkit.defense.DefenseSpec;
import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluator;
import io.advkit.eval.FamilyStudy;
import io.advkit.eval.FamilyStudy.Defended;
import io.advkit.eval.FamilyStudy.Row;
import io.advkit.model.Classifier;
import io.advkit.model.LoadedClassifier;
import io.advkit.model.ModelFamily;
import io.advkit.model.ModelLoader;
import io.advkit.util.AtomicFiles;
import io.advkit.util.Interruption;
import io.advkit.util.Json;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A transfer study nobody can tune to one victim: each family of the given models in turn is held out, the others
 * attack as an ensemble (with the same `advkit attack` options, resumable per family), and the held-out models are
 * evaluated on the saved images. The table is the accuracy of every model on examples made without its family.
 */
final class LeaveOneFamilyOut {
    private LeaveOneFamilyOut() {}

    /**
     * @param surrogatesOnly models that attack whenever their family is not held out but are never scored as victims
     *                       (an LGV collection: a surrogate set, not a model anyone deploys)
     * @param victimDefenses preprocessing each held-out model is also scored behind ("jpeg:75", ...): a deployed model's
     *                       defense, which the attack may anticipate with its own --robust-to
     * @param holdOut        the families to hold out, in this order (e.g. the worst first, when time is short); empty:
     *                       every family, alphabetically. The others still attack.
     */
    static FamilyStudy run(List<String> models, List<String> surrogatesOnly, List<String> victimDefenses, List<String> holdOut,
                           Path data, ImageSet set, String attackArgs, List<String> passThrough, Path out, ModelLoader loader,
                           int batchSize, boolean quiet) {
        Map<String, List<String>> byFamily = new TreeMap<>();
        models.forEach(m -> byFamily.computeIfAbsent(ModelFamily.of(m), f -> new ArrayList<>()).add(m));
        if (byFamily.size() < 2) {
            throw UserError.invalid("model", "a leave-one-family-out study needs models of at least two families; got "
                    + byFamily.keySet() + " from " + models);
        }
        for (String f : holdOut) {
            if (!byFamily.containsKey(f)) {
                throw UserError.invalid("hold-out", "no model of family '" + f + "' among the -m models; their families: "
                        + String.join(", ", byFamily.keySet()));
            }
        }
        List<String> order = holdOut.isEmpty() ? List.copyOf(byFamily.keySet()) : holdOut.stream().distinct().toList();
        List<String> notHeldOut = byFamily.keySet().stream().filter(f -> !order.contains(f)).toList();
        // the victims' defenses are checked before the first attack, not after an hour of them
        List<DefenseSpec> behind = victimDefenses.stream().map(d -> new DefenseSpec(d, "naive", "identity", 1, 0)).toList();
        List<Row> rows = new ArrayList<>();
        List<String> pending = new ArrayList<>(order);
        FamilyStudy r = null;
        StudyClock clock = new StudyClock(order.size());
        for (String family : order) {
            List<String> held = byFamily.get(family);
            List<String> surrogates = new ArrayList<>(models.stream().filter(m -> !held.contains(m)).toList());
            surrogatesOnly.stream().filter(m -> !ModelFamily.of(m).equals(family)).forEach(surrogates::add);
            Path dir = out.resolve("without-" + family);
            List<String> args = new ArrayList<>(List.of("attack", "--data", data.toString(), "--out", dir.toString()));
            if (quiet) {
                args.add("-q");
            } // else each family's attack shows its own progress and ETA: a study runs for an hour
            surrogates.forEach(s -> args.addAll(List.of("-s", s)));
            args.addAll(passThrough);
            args.addAll(Arrays.asList(attackArgs.trim().split("\\s+")));
            if (!quiet) {
                System.err.printf("advkit: holding out %s (family %d of %d): attacking with %s%n", family,
                        order.indexOf(family) + 1, order.size(), surrogates);
            }
            boolean attackedBefore = Files.exists(dir.resolve(AttackJob.MANIFEST));
            clock.roundStarts();
            int rc = Main.run(args.toArray(String[]::new));
            if (rc != 0) {
                Interruption.check(); // stopped on request, not failed
                throw new UserError("the attack holding out " + family + " failed (exit " + rc + "); its output is in " + dir);
            }
            ImageSet adv = ImageFolder.open(dir, set.classNames());
            for (String victim : held) {
                try (LoadedClassifier m = loader.load(victim)) {
                    List<Defended> defended = new ArrayList<>();
                    for (DefenseSpec d : behind) {
                        Classifier defendedModel = d.wrap(m);
                        defended.add(new Defended(d.spec(), Evaluator.evaluate(defendedModel, set, batchSize, true).accuracy(),
                                Evaluator.evaluate(defendedModel, adv, batchSize, true).accuracy()));
                    }
                    rows.add(new Row(family, m.name(), Evaluator.evaluate(m, set, batchSize, true).accuracy(),
                            Evaluator.evaluate(m, adv, batchSize, true).accuracy(), defended, surrogates));
                }
            }
            pending.remove(family);
            r = new FamilyStudy(FamilyStudy.KIND, set.describe(), set.size(), attackArgs, List.copyOf(rows), List.copyOf(pending),
                    notHeldOut, RunInfo.now());
            write(r, out);
            clock.roundEnds(!attackedBefore);
            if (!quiet) {
                System.err.println("advkit: " + clock.status());
            }
        }
        System.out.print(r.markdown());
        return r;
    }

    /**
     * How far a study is and how long the rest may take: an ETA from the families attacked in this run (one whose
     * attack an earlier run finished takes seconds and would make the estimate absurdly short). Rounds differ in cost
     * with the ensemble's size, so it is an estimate, and says what it rests on.
     */
    static final class StudyClock {
        private final int families;
        private final long start = System.nanoTime();
        private long roundStart;
        private int done;
        private int attacked;
        private long attackedNanos;

        StudyClock(int families) {
            this.families = families;
        }

        void roundStarts() {
            roundStart = System.nanoTime();
        }

        void roundEnds(boolean attackedInThisRun) {
            done++;
            if (attackedInThisRun) {
                attacked++;
                attackedNanos += System.nanoTime() - roundStart;
            }
        }

        String status() {
            String elapsed = Progress.format(Duration.ofNanos(System.nanoTime() - start));
            if (done == families) {
                return "all " + families + " families held out, " + elapsed + " in this run";
            }
            String head = done + " of " + families + " families held out, " + elapsed + " in this run";
            if (attacked == 0) {
                return head + "; time left unknown until a family is attacked in this run";
            }
            Duration perFamily = Duration.ofNanos(attackedNanos / attacked);
            return head + "; about " + Progress.format(perFamily.multipliedBy(families - done)) + " left at "
                    + Progress.format(perFamily) + " per family attacked so far";
        }
    }

    /** After every family, so that an hours-long study killed half-way still shows the families it finished. */
    private static void write(FamilyStudy r, Path out) {
        AtomicFiles.writeString(out.resolve("transfer.md"), r.markdown());
        Json.write(out.resolve("transfer.json"), r);
    }
}
