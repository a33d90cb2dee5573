package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.advkit.Shared;
import io.advkit.checkpoint.StateDict;
import io.advkit.checkpoint.Tensor;
import io.advkit.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases a new user and a hostile tester hit (issue 15's list), each as the user runs it: one clear line and a
 * non-zero exit, nothing half-written, nothing silently wrong.
 */
class HostileInputsTest {
    @TempDir
    Path tmp;

    private String weights() {
        return Shared.require("weights/cifar100").toString();
    }

    /** n homework images (labels 0..n-1) in a fresh folder. */
    private Path images(String name, int n) throws IOException {
        Path src = Shared.require("data/cifar-100_eval");
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (int i = 0; i < n; i++) {
            Files.copy(src.resolve(i + "_0.png"), dir.resolve(i + "_0.png"));
        }
        return dir;
    }

    private static Object[] run(String... args) {
        return CliErrorsTest.run(args);
    }

    /** Exit code 2 and exactly one line on stderr containing every {@code expected} text. */
    private static void refused(Object[] r, String... expected) {
        String err = (String) r[2];
        assertThat((int) r[0]).as(err).isEqualTo(2);
        assertThat(err.strip().lines()).as(err).hasSize(1);
        for (String e : expected) {
            assertThat(err).contains(e);
        }
    }

    private String[] attack(Path data, Path out, String... more) {
        String[] base = {"attack", "-q", "--data", data.toString(), "--out", out.toString(), "-s", "cifar100_resnet20", "--steps", "2",
            "--weights-dir", weights()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aLinkToTheInputIsTheInputEvenWithOverwrite() throws IOException {
        Path in = images("in", 2);
        byte[] before = Files.readAllBytes(in.resolve("0_0.png"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), in);
        refused(run(attack(in, link, "--overwrite")), "--out:", "input");
        assertThat(Files.readAllBytes(in.resolve("0_0.png"))).isEqualTo(before);
        try (var s = Files.list(in)) {
            assertThat(s.count()).isEqualTo(2); // nothing added either
        }
    }

    @Test
    void weightsWithNaNAreRefusedByTensorName() throws IOException {
        Path in = images("in", 1);
        StateDict good = StateDict.load(Shared.require("weights/cifar100/cifar100_resnet20-23dac2f1.pt"));
        Map<String, Tensor> t = new LinkedHashMap<>(good.tensors());
        float[] w = t.get("fc.weight").toFloatArray();
        w[17] = Float.NaN;
        t.put("fc.weight", Tensor.ofFloats(t.get("fc.weight").shape(), w));
        Path bad = tmp.resolve("nan.pt");
        new StateDict(t).save(bad);
        refused(run("eval", "-q", "--data", in.toString(), "--model", "cifar100_resnet20=" + bad), "fc.weight", "NaN");
    }

    @Test
    void labelsBeyondTheModelsClassesAreRefused() throws IOException {
        Path in = images("in", 1);
        Files.copy(in.resolve("0_0.png"), in.resolve("150_0.png"));
        refused(run("eval", "-q", "--data", in.toString(), "--model", "cifar100_resnet20", "--weights-dir", weights()),
                "150_0.png", "label 150", "100 classes");
        // CIFAR-100 images against a CIFAR-10 model: refused before anything is written
        Path out = tmp.resolve("out");
        Path hundred = images("hundred", 12);
        refused(run("attack", "-q", "--data", hundred.toString(), "--out", out.toString(), "-s", "akamaster_resnet20",
                "--weights-dir", Shared.require("weights/cifar10").toString()), "label 10", "10 classes");
        assertThat(out).doesNotExist();
    }

    @Test
    void budgetsOutOfRangeAreRefusedInTheUsersUnits() throws IOException {
        Path in = images("in", 1);
        refused(run(attack(in, tmp.resolve("a"), "--eps", "300")), "--eps:", "300");
        Object[] r = run(attack(in, tmp.resolve("b"), "--eps", "-1"));
        refused(r, "--eps:", "-1");
        assertThat((String) r[2]).doesNotContain("0.0039");
        refused(run(attack(in, tmp.resolve("c"), "--norm", "l2", "--eps", "60", "--eps-scale", "1")), "--eps:", "55.4");
        assertThat(tmp.resolve("a")).doesNotExist();
        assertThat(tmp.resolve("c")).doesNotExist();
    }

    @Test
    void aZeroBudgetLeavesTheImagesAsTheyAre() throws IOException {
        Path in = images("in", 2);
        Path out = tmp.resolve("out");
        Object[] r = run(attack(in, out, "--eps", "0"));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(Files.readAllBytes(out.resolve("1_0.png"))).isEqualTo(io.advkit.data.ImageCodec.encodePng(
                io.advkit.data.ImageCodec.read(in.resolve("1_0.png"))));
    }

    @Test
    void ensembleOptionsNeedAnEnsemble() throws IOException {
        Path in = images("in", 1);
        refused(run(attack(in, tmp.resolve("a"), "--fusion", "logits")), "--fusion", "more than one -s");
        refused(run(attack(in, tmp.resolve("b"), "--model-weights", "1")), "--model-weights", "more than one -s");
        refused(run(attack(in, tmp.resolve("c"), "-s", "cifar100_resnet56", "--fusion", "max")), "--fusion:", "max");
        refused(run(attack(in, tmp.resolve("d"), "--balance-families")), "--balance-families", "more than one -s");
        refused(run(attack(in, tmp.resolve("e"), "-s", "cifar100_resnet56", "--balance-families", "--model-weights", "1,2")),
                "--balance-families", "not both");
        assertThat(tmp.resolve("a")).doesNotExist();
    }

    @Test
    void aBadImageStopsTheAttackBeforeAnyFile() throws IOException {
        Path in = images("in", 3);
        Files.write(in.resolve("2_0.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Path out = tmp.resolve("out");
        refused(run(attack(in, out)), "2_0.png");
        assertThat(out).doesNotExist(); // no stub attack.json "running"
    }

    @Test
    void resultsAreNeverWrittenAmongImages() throws IOException {
        Path clean = images("clean", 2);
        Path adv = tmp.resolve("adv");
        Object[] r = run(attack(clean, adv));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        refused(run("transfer", "-q", "--clean", clean.toString(), "--adv", adv.toString(), "-v", "cifar100_resnet20",
                "--weights-dir", weights(), "--out", adv.toString()), "--out:");
        refused(run("audit", "-q", "--data", clean.toString(), "-m", "cifar100_resnet20", "--weights-dir", weights(),
                "--out", adv.toString()), "--out:");
        Path other = images("other", 1);
        refused(run("transfer", "-q", "--adv", adv.toString(), "-v", "cifar100_resnet20", "--weights-dir", weights(),
                "--out", other.toString()), "--out:", "holds images");
        try (var s = Files.list(adv)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("0_0.png", "1_0.png", "attack.json");
        }
        // and the attack folder still evaluates
        r = run("eval", "-q", "--data", adv.toString(), "--model", "cifar100_resnet20", "--weights-dir", weights());
        assertThat((int) r[0]).as((String) r[2]).isZero();
    }

    @Test
    void everyCommandTakesQuiet() {
        for (String[] args : new String[][] {{"models", "-q", "--filter", "cifar100_resnet2"}, {"list", "-q", "attacks"}}) {
            Object[] r = run(args);
            assertThat((int) r[0]).as(String.join(" ", args) + ": " + r[2]).isZero();
        }
        refused(run("report", "-q", tmp.resolve("nothing").toString(), "--out", tmp.resolve("rep").toString()), "no such file");
    }

    @Test
    void modelsSaysWhichWeightsAreHere() {
        Object[] r = run("models", "-q", "--filter", "cifar100_resnet", "--weights-dir", weights());
        String out = (String) r[1];
        assertThat(out.lines().filter(l -> l.startsWith("cifar100_resnet20 ")).findFirst().orElseThrow()).contains(" yes ");
        assertThat(out.lines().filter(l -> l.startsWith("cifar100_resnet32 ")).findFirst().orElseThrow()).contains(" - ");
        Object[] offline = run("models", "-q", "--offline", "--filter", "cifar100", "--weights-dir", weights());
        assertThat(((String) offline[1]).lines().skip(1).map(l -> l.split("\\s+")[0]))
                .contains("cifar100_resnet20", "cifar100_resnet56", "ace_resnet32_cifar100").doesNotContain("cifar100_resnet32");
    }

    @Test
    void victimsReachAttackJsonAndTheReport() throws IOException {
        Path clean = images("clean", 2);
        Path adv = tmp.resolve("adv");
        Object[] r = run(attack(clean, adv, "--victim", "cifar100_resnet56"));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        JsonObject manifest = Json.read(adv.resolve("attack.json")).getAsJsonObject();
        assertThat(manifest.getAsJsonArray("victims").get(0).getAsJsonObject().get("model").getAsString()).isEqualTo("cifar100_resnet56");
        Path report = tmp.resolve("report");
        r = run("report", "-q", adv.toString(), "--out", report.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(Files.readString(report.resolve("report.md"))).contains("Victims on the saved images").contains("cifar100_resnet56");
    }

    @Test
    void aFewImagesToTryACommandOn() throws IOException {
        Path in = images("in", 6);
        Object[] r = run("eval", "-q", "--data", in.toString(), "--model", "cifar100_resnet20", "--weights-dir", weights(), "--limit", "2");
        assertThat((String) r[1]).contains("      2 "); // total column
        assertThat((String) r[2]).doesNotContain("warning");
        // a set stored class by class: the first images are one class, which --limit says (and --subset avoids)
        Path byClass = Files.createDirectories(tmp.resolve("by-class"));
        for (String f : new String[] {"0_0.png", "0_1.png", "0_2.png", "1_0.png"}) {
            Files.copy(Shared.require("data/cifar-100_eval").resolve(f), byClass.resolve(f));
        }
        r = run("eval", "-q", "--data", byClass.toString(), "--model", "cifar100_resnet20", "--weights-dir", weights(), "--limit", "2");
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat((String) r[2]).contains("warning: the first 2 images are all of class 0; --subset 2");
        Path out = tmp.resolve("out");
        r = run(attack(in, out, "--subset", "3"));
        assertThat((int) r[0]).as((String) r[2]).isZero();
        assertThat(Json.read(out.resolve("attack.json")).getAsJsonObject().getAsJsonArray("images")).hasSize(3);
        refused(run(attack(in, tmp.resolve("x"), "--limit", "2", "--subset", "2")), "--limit and --subset");
    }
}
