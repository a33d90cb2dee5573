package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Shared;
import io.advkit.Stderr;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttackJobTest {
    @TempDir
    Path tmp;

    private Path tenImages() throws IOException {
        Path src = Shared.require("data/cifar-10_eval");
        Path dir = Files.createDirectories(tmp.resolve("in"));
        for (int c = 0; c < 5; c++) {
            for (int k = 0; k < 2; k++) {
                Files.copy(src.resolve(c + "_" + k + ".png"), dir.resolve(c + "_" + k + ".png"));
            }
        }
        return dir;
    }

    static final ThreatModel EPS8 = new ThreatModel(Norm.LINF, 8 / 255.0);

    static AttackJob.Config config(String attack, String data) {
        return new AttackJob.Config(Attacks.build(attack, AttackSettings.DEFAULTS).params(), "linf", EPS8.eps(), EPS8.eps255(), "ce", "none",
                List.of("net"), null, null, null, 5, 4, data);
    }

    private static AttackJob job(ImageSet set, Path in, Path out, ZooModel model) {
        return job(set, in, out, model, true);
    }

    private static AttackJob job(ImageSet set, Path in, Path out, ZooModel model, boolean quiet) {
        AttackJob.Setup setup = new AttackJob.Setup(Attacks.build("pgd", AttackSettings.DEFAULTS), EPS8, Loss.CE, Target.NONE, 5, 4);
        return new AttackJob(set, in, out, model, List.of(model), setup, config("pgd", set.describe()), quiet);
    }

    @Test
    void aKilledRunResumesToTheSameFilesAsAnUninterruptedOne() throws IOException {
        Path in = tenImages();
        ImageSet set = ImageFolder.open(in, List.of());
        try (ZooModel model = ZooModel.create("net", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 9)) {
            model.net().setTrainable(false);
            Path whole = tmp.resolve("whole");
            AttackJob.Manifest complete = job(set, in, whole, model).run(false);
            assertThat(complete.images()).hasSize(10);

            // a run killed during its second batch: the first batch's PNGs and journal line exist, no attack.json
            Path killed = tmp.resolve("killed");
            job(set, in, killed, model).run(false);
            List<String> firstBatch = List.of("0_0.png", "0_1.png", "1_0.png", "1_1.png");
            try (var files = Files.list(killed)) {
                for (Path f : files.toList()) {
                    if (!firstBatch.contains(f.getFileName().toString())) {
                        Files.delete(f);
                    }
                }
            }
            Path journal = killed.resolve(AttackJob.JOURNAL);
            Journal.open(journal, config("pgd", set.describe()), AttackJob.BatchRecord.class)
                    .append(new AttackJob.BatchRecord(0, complete.images().subList(0, 4), null));
            Files.writeString(journal, "{\"batch\": 1, \"ima", StandardOpenOption.APPEND); // torn last line
            Files.write(killed.resolve("2_1.png"), new byte[] {1, 2, 3}); // a corrupt leftover is redone

            Stderr<AttackJob.Manifest> run = Stderr.of(() -> job(set, in, killed, model, false).run(false));
            AttackJob.Manifest resumed = run.value();
            assertThat(resumed.resumedImages()).isEqualTo(4);
            // the images of the earlier run are counted but kept out of the rate and ETA, and the line says so
            assertThat(run.text()).contains("attack pgd: 10/10 img (4 from an earlier run)");
            for (int i = 0; i < set.size(); i++) {
                String name = AttackJob.outputName(set.name(i));
                assertThat(Files.readAllBytes(killed.resolve(name))).as(name).isEqualTo(Files.readAllBytes(whole.resolve(name)));
            }
            assertThat(journal).doesNotExist();
            assertThat(resumed.images()).isEqualTo(complete.images());
        }
    }

    /**
     * The ensemble's prediction before and after is fused from the surrogates' own forward passes (each runs once): it is
     * the prediction {@link io.advkit.model.Ensemble#logits} gives on the clean images and on the saved PNGs.
     */
    @Test
    void theEnsemblesRecordedPredictionIsTheEnsembles() throws IOException {
        Path in = tenImages();
        ImageSet set = ImageFolder.open(in, List.of());
        try (ZooModel a = ZooModel.create("a", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 9);
             ZooModel b = ZooModel.create("b", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 10);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            a.net().setTrainable(false);
            b.net().setTrainable(false);
            List<ZooModel> members = List.of(a, b);
            for (io.advkit.model.Ensemble.Fusion fusion : io.advkit.model.Ensemble.Fusion.values()) {
                // unequal weights and probability fusion: a fused prediction that neither member makes on its own
                io.advkit.model.Ensemble ensemble = new io.advkit.model.Ensemble(members, new float[] {1, 3}, fusion);
                AttackJob.Setup setup = new AttackJob.Setup(Attacks.build("fgsm", AttackSettings.DEFAULTS), EPS8, Loss.CE, Target.NONE, 5, 4);
                Path out = tmp.resolve("ens-" + fusion);
                AttackJob.Manifest done = new AttackJob(set, in, out, ensemble, members, setup, config("fgsm", set.describe()), true).run(false);
                ImageSet saved = ImageFolder.open(out, List.of());
                long[] clean = ensemble.logits(new io.advkit.data.Batches(set, 10).load(0).toNDArray(m)).argMax(1).toLongArray();
                long[] adv = ensemble.logits(new io.advkit.data.Batches(saved, 10).load(0).toNDArray(m)).argMax(1).toLongArray();
                for (int i = 0; i < set.size(); i++) {
                    AttackJob.ImageRecord r = done.images().get(i);
                    assertThat(r.name()).isEqualTo(AttackJob.outputName(saved.name(i)));
                    assertThat(r.before().get("ensemble")).as(fusion + " before " + r.name()).isEqualTo(clean[i]);
                    assertThat(r.after().get("ensemble")).as(fusion + " after " + r.name()).isEqualTo(adv[i]);
                    assertThat(r.fooled()).isEqualTo(adv[i] != r.label());
                }
            }
        }
    }

    @Test
    void nothingIsWrittenWhenAnImageIsBad() throws IOException {
        Path in = tenImages();
        Files.write(in.resolve("4_1.png"), new byte[] {1, 2, 3}); // the last image: found before any batch runs
        ImageSet set = ImageFolder.open(in, List.of());
        Path out = tmp.resolve("out");
        try (ZooModel model = ZooModel.create("net", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 9)) {
            assertThatThrownBy(() -> job(set, in, out, model).run(false)).isInstanceOf(UserError.class).hasMessageContaining("4_1.png");
        }
        assertThat(out).doesNotExist(); // no stub attack.json, no journal, no PNGs
    }

    @Test
    void outputsNeverOverwriteInputsOrForeignFolders() throws IOException {
        Path in = Shared.require("data/cifar-10_eval");
        AttackJob.Config pgd = config("pgd", in.toString());
        assertThatThrownBy(() -> AttackJob.checkOutput(in, in, true, pgd)).isInstanceOf(UserError.class).hasMessageContaining("overwrite");
        assertThatThrownBy(() -> AttackJob.checkOutput(in, in.resolve("sub"), false, pgd)).isInstanceOf(UserError.class);
        // the same folder under another name: a link to the input, even with permission to overwrite
        Path link = Files.createSymbolicLink(tmp.resolve("link"), in.toAbsolutePath());
        assertThatThrownBy(() -> AttackJob.checkOutput(in, link, true, pgd)).isInstanceOf(UserError.class).hasMessageContaining("input");
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> AttackJob.checkOutput(in, foreign, false, pgd)).isInstanceOf(UserError.class).hasMessageContaining("not empty");
        Path other = Files.createDirectories(tmp.resolve("other"));
        Json.write(other.resolve("attack.json"), new AttackJob.Manifest("attack", "complete", config("fgsm", in.toString()), null, 0, null, 0, null,
                List.of(), List.of()));
        assertThatThrownBy(() -> AttackJob.checkOutput(in, other, false, pgd)).isInstanceOf(UserError.class)
                .hasMessageContaining("different attack").hasMessageContaining("attack.attack");
        AttackJob.checkOutput(in, other, false, config("fgsm", in.toString())); // the same attack: resumable
        AttackJob.checkOutput(in, tmp.resolve("new"), false, pgd);
    }
}
