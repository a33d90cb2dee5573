package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import io.advkit.Shared;
import io.advkit.model.Architectures;
import io.advkit.util.Json;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** transfer --leave-one-family-out: every family held out once, attacked by the others, evaluated on the result. */
class LeaveOneFamilyOutTest {
    @TempDir
    Path tmp;

    @Test
    void familiesAreTheDesignWithoutDepthOrWidth() {
        assertThat(Architectures.family("resnet20")).isEqualTo("resnet");
        assertThat(Architectures.family("resnet164bn")).isEqualTo("resnet");
        assertThat(Architectures.family("chenyaofo_resnet56")).isEqualTo("resnet");
        assertThat(Architectures.family("akamaster_resnet32")).isEqualTo("resnet");
        assertThat(Architectures.family("seresnet20")).isEqualTo("seresnet");
        assertThat(Architectures.family("preresnet20")).isEqualTo("preresnet");
        assertThat(Architectures.family("wrn16_10")).isEqualTo("wrn");
        assertThat(Architectures.family("densenet40_k12")).isEqualTo("densenet");
        assertThat(Architectures.family("resnext29_32x4d")).isEqualTo("resnext");
        assertThat(Architectures.family("smallcnn")).isEqualTo("smallcnn");
        assertThat(Architectures.family("chenyaofo_mobilenetv2_x0_5")).isEqualTo("mobilenetv2");
        assertThat(Architectures.family("chenyaofo_shufflenetv2_x1_0")).isEqualTo("shufflenetv2");
        assertThat(Architectures.family("chenyaofo_vgg11_bn")).isEqualTo("vgg");
        assertThat(Architectures.family("nin")).isEqualTo("nin");
    }

    @Test
    void balancedWeightsGiveEveryFamilyTheSameShare() {
        float[] w = io.advkit.model.ModelFamily.balancedWeights(java.util.List.of("akamaster_resnet20", "akamaster_resnet32",
                "resnet20:10:pytorchcv-cifar=x.pth", "shufflenetv2_x0_5_cifar10_advkit", "seresnet20_cifar10_advkit"));
        assertThat(w).containsExactly(1f / 9, 1f / 9, 1f / 9, 1f / 3, 1f / 3);
        assertThat(io.advkit.model.ModelFamily.of("onnx:m.onnx")).isEqualTo("onnx:m.onnx"); // its own family
    }

    @Test
    void eachFamilyIsHeldOutOnceAndEvaluatedOnExamplesMadeWithoutIt() throws java.io.IOException {
        Path data = Shared.require("data/cifar-10_eval");
        Path out = tmp.resolve("lofo");
        Object[] r = CliErrorsTest.run("transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "--limit", "6",
                "-m", "resnet20_cifar10_advkit", "-m", "preresnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit",
                "--attack-args", "--attack fgsm --eps 8", "--out", out.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        JsonArray rows = Json.read(out.resolve("transfer.json")).getAsJsonObject().getAsJsonArray("rows");
        assertThat(rows).hasSize(3);
        for (var e : rows) {
            var row = e.getAsJsonObject();
            String family = row.get("family").getAsString();
            assertThat(row.get("model").getAsString()).startsWith(family + "20");
            for (var s : row.getAsJsonArray("surrogates")) {
                assertThat(s.getAsString()).doesNotStartWith(family + "20"); // never attacked with its own family
            }
            assertThat(out.resolve("without-" + family).resolve("attack.json")).exists();
        }
        // a surrogate-only model attacks whenever its family is not held out, and is never scored
        Path lgv = tmp.resolve("lgv/collection");
        java.nio.file.Files.createDirectories(lgv);
        try (var m = io.advkit.model.ZooModel.create("r", "resnet20", 10, io.advkit.model.Normalization.named("pytorchcv-cifar"), 3)) {
            io.advkit.model.AdvkitModelFile.save(lgv.resolve("lgv-001.advkit"), m, java.util.Map.of());
        }
        String collection = "lgv:" + tmp.resolve("lgv");
        assertThat(io.advkit.model.ModelFamily.of(collection)).isEqualTo("resnet");
        r = CliErrorsTest.run("transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "--limit", "4",
                "-m", "resnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit", "--surrogate-only", collection,
                "--attack-args", "--attack fgsm --eps 8", "--out", tmp.resolve("lofo-lgv").toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        rows = Json.read(tmp.resolve("lofo-lgv/transfer.json")).getAsJsonObject().getAsJsonArray("rows");
        assertThat(rows).hasSize(2);
        for (var e : rows) {
            var row = e.getAsJsonObject();
            boolean resnetHeldOut = row.get("family").getAsString().equals("resnet");
            assertThat(row.getAsJsonArray("surrogates").toString().contains(collection)).isEqualTo(!resnetHeldOut);
        }
        r = CliErrorsTest.run("transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "-m", "resnet20_cifar10_advkit",
                "--out", tmp.resolve("one").toString());
        assertThat((int) r[0]).isNotZero();
        assertThat((String) r[2]).contains("at least two families");
    }

    @Test
    void heldOutModelsAreAlsoScoredBehindTheVictimsDefenses() throws java.io.IOException {
        Path data = Shared.require("data/cifar-10_eval");
        Path out = tmp.resolve("lofo-defended");
        Object[] r = CliErrorsTest.run("transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "--limit", "8",
                "-m", "resnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit", "--victim-defense", "bitdepth:2",
                "--attack-args", "--attack fgsm --eps 8", "--out", out.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        JsonArray rows = Json.read(out.resolve("transfer.json")).getAsJsonObject().getAsJsonArray("rows");
        for (var e : rows) {
            var row = e.getAsJsonObject();
            var behind = row.getAsJsonArray("defended").get(0).getAsJsonObject();
            assertThat(behind.get("defense").getAsString()).isEqualTo("bitdepth:2");
            // the same figures as `eval --defense` of that model on the clean images and on the study's saved examples
            Path adv = out.resolve("without-" + row.get("family").getAsString());
            String model = row.get("model").getAsString();
            assertThat(behind.get("clean").getAsDouble()).isEqualTo(evalBehind(data, model, "bitdepth:2", "--limit", "8"));
            assertThat(behind.get("adversarial").getAsDouble()).isEqualTo(evalBehind(adv, model, "bitdepth:2"));
            assertThat(row.get("adversarial").getAsDouble()).isEqualTo(evalBehind(adv, model, "none"));
        }
        assertThat(java.nio.file.Files.readString(out.resolve("transfer.md")))
                .contains("behind bitdepth:2").contains("worst held-out:");
        // the report shows the study: its table, its worst line, and the heatmap
        Path report = tmp.resolve("report");
        r = CliErrorsTest.run("report", out.toString(), "--out", report.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        String md = java.nio.file.Files.readString(report.resolve("report.md"));
        String study = java.nio.file.Files.readString(out.resolve("transfer.md"));
        assertThat(md).contains("Leave-one-family-out transfer (8 images)")
                .contains(study.substring(study.indexOf("worst held-out:")).strip())
                .contains("| seresnet | seresnet20_cifar10_advkit |");
        assertThat(md.lines().filter(l -> l.startsWith("![") && l.contains("leave-one-family-out")).count()).isEqualTo(1);
        try (var imgs = java.nio.file.Files.list(report.resolve("img"))) {
            assertThat(imgs.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith("-leave-one-family-out.png"));
        }
        // a defense that does not parse is refused before any attack runs
        Path bad = tmp.resolve("lofo-bad");
        r = CliErrorsTest.run("transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "--limit", "4",
                "-m", "resnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit", "--victim-defense", "jpg:75",
                "--attack-args", "--attack fgsm --eps 8", "--out", bad.toString());
        assertThat((int) r[0]).isNotZero();
        assertThat(bad.resolve("without-resnet")).doesNotExist();
    }

    @Test
    void aStudyStoppedHalfWayKeepsTheFamiliesItFinished() throws java.io.IOException {
        Path data = Shared.require("data/cifar-10_eval");
        Path out = tmp.resolve("lofo-partial");
        java.nio.file.Files.createDirectories(out);
        // the second family's attack cannot write its output: the study stops there, as a killed one would
        java.nio.file.Files.writeString(out.resolve("without-seresnet"), "in the way");
        String[] args = {"transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "--limit", "4",
                "-m", "resnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit",
                "--attack-args", "--attack fgsm --eps 8", "--out", out.toString()};
        Object[] r = CliErrorsTest.run(args);
        assertThat((int) r[0]).isNotZero();
        assertThat((String) r[2]).contains("holding out seresnet failed");
        var partial = Json.read(out.resolve("transfer.json")).getAsJsonObject();
        assertThat(partial.getAsJsonArray("rows")).hasSize(1);
        assertThat(partial.getAsJsonArray("rows").get(0).getAsJsonObject().get("family").getAsString()).isEqualTo("resnet");
        assertThat(partial.getAsJsonArray("pending").toString()).isEqualTo("[\"seresnet\"]");
        assertThat(java.nio.file.Files.readString(out.resolve("transfer.md")))
                .contains("partial: 1 of 2 families held out so far; still to come: seresnet").contains("| resnet |");
        Path report = tmp.resolve("report-partial");
        r = CliErrorsTest.run("report", out.toString(), "--out", report.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(java.nio.file.Files.readString(report.resolve("report.md"))).contains("still to come: seresnet");
        // run again once the way is clear: the study completes and says so; the family finished before is taken as
        // done, and no ETA rests on its seconds
        java.nio.file.Files.delete(out.resolve("without-seresnet"));
        r = CliErrorsTest.run(java.util.Arrays.stream(args).filter(a -> !a.equals("-q")).toArray(String[]::new));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat((String) r[2]).contains("advkit: 1 of 2 families held out, ")
                .contains("; time left unknown until a family is attacked in this run")
                .contains("advkit: all 2 families held out, ");
        var done = Json.read(out.resolve("transfer.json")).getAsJsonObject();
        assertThat(done.getAsJsonArray("rows")).hasSize(2);
        assertThat(done.getAsJsonArray("pending")).isEmpty();
        assertThat(java.nio.file.Files.readString(out.resolve("transfer.md"))).doesNotContain("partial:");
    }

    @Test
    void theStudysEtaRestsOnTheFamiliesAttackedInThisRun() throws InterruptedException {
        LeaveOneFamilyOut.StudyClock clock = new LeaveOneFamilyOut.StudyClock(4);
        clock.roundStarts();
        clock.roundEnds(false); // finished by an earlier run
        assertThat(clock.status()).startsWith("1 of 4 families held out, 0:00:00 in this run; time left unknown");
        clock.roundStarts();
        Thread.sleep(1100);
        clock.roundEnds(true);
        // one family attacked in ~1.1 s, two to go: about 2 s left
        assertThat(clock.status()).matches("2 of 4 families held out, 0:00:01 in this run; about 0:00:0[23] left at 0:00:01 per family attacked so far");
        clock.roundStarts();
        clock.roundEnds(true);
        clock.roundStarts();
        clock.roundEnds(true);
        assertThat(clock.status()).startsWith("all 4 families held out, ");
    }

    @Test
    void holdOutRunsOnlyTheChosenFamiliesInTheirOrderAndSaysSo() throws java.io.IOException {
        Path data = Shared.require("data/cifar-10_eval");
        Path out = tmp.resolve("lofo-chosen");
        String[] models = {"-m", "resnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit", "-m", "preresnet20_cifar10_advkit"};
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("transfer", "-q", "--leave-one-family-out",
                "--data", data.toString(), "--limit", "4", "--attack-args", "--attack fgsm --eps 8", "--out", out.toString()));
        args.addAll(java.util.List.of(models));
        java.util.List<String> unknown = new java.util.ArrayList<>(args);
        unknown.addAll(java.util.List.of("--hold-out", "resnext"));
        Object[] r = CliErrorsTest.run(unknown.toArray(String[]::new));
        assertThat((int) r[0]).isNotZero();
        assertThat((String) r[2]).contains("no model of family 'resnext'").contains("preresnet, resnet, seresnet");
        assertThat(out.resolve("transfer.json")).doesNotExist(); // refused before the first attack
        args.addAll(java.util.List.of("--hold-out", "seresnet,resnet"));
        r = CliErrorsTest.run(args.toArray(String[]::new));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        var study = Json.read(out.resolve("transfer.json")).getAsJsonObject();
        var rows = study.getAsJsonArray("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).getAsJsonObject().get("family").getAsString()).isEqualTo("seresnet"); // the order given
        assertThat(rows.get(1).getAsJsonObject().get("family").getAsString()).isEqualTo("resnet");
        // the family not held out still attacks in both rounds
        assertThat(rows.get(0).getAsJsonObject().getAsJsonArray("surrogates").toString())
                .contains("preresnet20_cifar10_advkit").contains("\"resnet20_cifar10_advkit").doesNotContain("seresnet");
        assertThat(study.getAsJsonArray("pending")).isEmpty();
        assertThat(study.getAsJsonArray("not_held_out").toString()).isEqualTo("[\"preresnet\"]");
        assertThat(out.resolve("without-preresnet")).doesNotExist();
        assertThat(java.nio.file.Files.readString(out.resolve("transfer.md")))
                .contains("held out by choice: seresnet, resnet only; the other families attacked but were not held out: preresnet")
                .doesNotContain("partial:");
        Path report = tmp.resolve("report-chosen");
        r = CliErrorsTest.run("report", out.toString(), "--out", report.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(java.nio.file.Files.readString(report.resolve("report.md"))).contains("held out by choice: seresnet, resnet only");
    }

    private double evalBehind(Path images, String model, String defense, String... more) {
        Path json = tmp.resolve("eval-" + System.nanoTime() + ".json");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("eval", "-q", "--data", images.toString(), "-m", model,
                "--defense", defense, "--json", json.toString()));
        args.addAll(java.util.List.of(more));
        Object[] r = CliErrorsTest.run(args.toArray(String[]::new));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        return Json.read(json).getAsJsonObject().getAsJsonArray("models").get(0).getAsJsonObject().get("accuracy").getAsDouble();
    }
}
