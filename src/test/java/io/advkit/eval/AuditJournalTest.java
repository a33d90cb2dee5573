package io.advkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Stderr;
import io.advkit.data.DecodedImages;
import io.advkit.defense.DefendedModel;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A killed audit resumes from its journal: finished batches are read back, not attacked again. */
class AuditJournalTest {
    @TempDir
    Path tmp;

    static DecodedImages sixRandomImages() {
        byte[] px = new byte[6 * 8 * 8 * 3];
        new Random(1).nextBytes(px);
        return new DecodedImages(List.of("a", "b", "c", "d", "e", "f"), new int[] {0, 1, 2, 0, 1, 2}, 8, 8, 3, px,
                List.of("x", "y", "z"), "six random 8x8 images");
    }

    static Audit audit(int batchSize) {
        return new Audit(new Audit.Config(8, 2, 2, 1, new double[] {4, 8}, 2, 20, 2, batchSize, 0, DefendedModel.Approximation.IDENTITY));
    }

    private static List<String> successRates(Audit.Result audit) {
        return audit.attacks().stream().map(a -> a.attack() + " " + a.gradients() + " " + a.eps255() + " " + a.successRate()).toList();
    }

    @Test
    void resumesFromFinishedBatchesAndSkipsATornLine() throws IOException {
        Path journal = tmp.resolve(".audit-journal.jsonl");
        try (ZooModel m = ZooModel.create("tiny", "resnet20", 3, Normalization.named("pytorchcv-cifar"), 7)) {
            Audit.Result full = audit(4).run(m, "bitdepth:5", sixRandomImages(), true, journal);
            List<String> lines = Files.readAllLines(journal);
            assertThat(lines).hasSize(3); // header + batches at offsets 0 and 4

            // as if killed while writing the second batch, with the first batch's clean outcome altered so that
            // reading it back (rather than recomputing it) shows in the result
            String first = lines.get(1);
            boolean wasCorrect = first.contains("\"clean_correct\":[true");
            String altered = first.replaceFirst("\"clean_correct\":\\[(true|false)", "\"clean_correct\":[" + !wasCorrect);
            Files.write(journal, List.of(lines.get(0), altered, lines.get(2).substring(0, 25)));
            Stderr<Audit.Result> run = Stderr.of(() -> audit(4).run(m, "bitdepth:5", sixRandomImages(), false, journal));
            Audit.Result resumed = run.value();
            // the first batch's 4 of 6 images were done before: counted, kept out of the rate, and said so
            Matcher line = Pattern.compile("audit: (\\d+)/(\\d+) img-attacks \\((\\d+) from an earlier run\\)")
                    .matcher(run.text());
            assertThat(line.find()).as(run.text()).isTrue();
            assertThat(6 * Long.parseLong(line.group(3))).isEqualTo(4 * Long.parseLong(line.group(2)));

            double step = 100.0 / 6;
            assertThat(resumed.cleanAccuracy()).isCloseTo(full.cleanAccuracy() + (wasCorrect ? -step : step),
                    org.assertj.core.api.Assertions.within(1e-9));
            assertThat(Files.readAllLines(journal)).hasSize(3).element(2).isEqualTo(lines.get(2)); // batch 4 redone, same outcome
            assertThat(successRates(resumed)).isEqualTo(successRates(full)); // every attack's outcome as before

            // other settings never mix with this journal
            assertThatThrownBy(() -> audit(3).run(m, "bitdepth:5", sixRandomImages(), true, journal))
                    .isInstanceOf(UserError.class).hasMessageContaining("other settings").hasMessageContaining("batch_size");
        }
    }

    /** SPSA joins the gradient-free rows only in front of a random defense, and Square always. */
    @Test
    void spsaRunsAgainstRandomDefensesOnly() {
        try (ZooModel m = ZooModel.create("tiny", "resnet20", 3, Normalization.named("pytorchcv-cifar"), 7)) {
            List<String> random = audit(6).run(m, "noise:0.03", sixRandomImages(), true, null).attacks().stream().map(Audit.Row::attack).toList();
            List<String> fixed = audit(6).run(m, "bitdepth:5", sixRandomImages(), true, null).attacks().stream().map(Audit.Row::attack).toList();
            assertThat(random).contains("square", "spsa");
            assertThat(fixed).contains("square").doesNotContain("spsa");
        }
    }

    /** Without a defense the undefended model is the target itself: no transfer row duplicating white-box PGD. */
    @Test
    void noTransferRowWithoutADefense() {
        try (ZooModel m = ZooModel.create("tiny", "resnet20", 3, Normalization.named("pytorchcv-cifar"), 7)) {
            Audit.Result none = audit(6).run(m, "none", sixRandomImages(), true, null);
            assertThat(none.attacks().stream().map(Audit.Row::attack).toList()).contains("pgd", "square").doesNotContain("transfer-pgd");
            assertThat(none.symptoms().get(1).evidence()).doesNotContain("transfer").contains("gradient-free");
            assertThat(audit(6).run(m, "bitdepth:5", sixRandomImages(), true, null).attacks().stream().map(Audit.Row::attack).toList())
                    .contains("transfer-pgd");
        }
    }
}
