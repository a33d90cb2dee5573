package io.advkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.data.DecodedImages;
import io.advkit.defense.DefendedModel;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A killed audit resumes from its journal: finished batches are read back, not attacked again. */
class AuditJournalTest {
    @TempDir
    Path tmp;

    private static DecodedImages sixRandomImages() {
        byte[] px = new byte[6 * 8 * 8 * 3];
        new Random(1).nextBytes(px);
        return new DecodedImages(List.of("a", "b", "c", "d", "e", "f"), new int[] {0, 1, 2, 0, 1, 2}, 8, 8, px,
                List.of("x", "y", "z"), "six random 8x8 images");
    }

    private static Audit audit(int batchSize) {
        return new Audit(new Audit.Config(new ThreatModel(Norm.LINF, 8 / 255.0), 2, 2, 1, new double[] {4, 8}, 2, batchSize, 0,
                DefendedModel.Approximation.IDENTITY));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> successRates(Map<String, Object> audit) {
        List<Object> rates = new ArrayList<>();
        for (Map<String, Object> a : (List<Map<String, Object>>) audit.get("attacks")) {
            rates.add(a.get("attack") + " " + a.get("gradients") + " " + a.get("eps_255") + " " + a.get("success_rate"));
        }
        return rates;
    }

    @Test
    void resumesFromFinishedBatchesAndSkipsATornLine() throws IOException {
        Path journal = tmp.resolve(".audit-journal.jsonl");
        try (ZooModel m = ZooModel.create("tiny", "resnet20", 3, Normalization.named("pytorchcv-cifar"), 7)) {
            Map<String, Object> full = audit(4).run(m, "bitdepth:5", sixRandomImages(), true, journal);
            List<String> lines = Files.readAllLines(journal);
            assertThat(lines).hasSize(3); // header + batches at offsets 0 and 4

            // as if killed while writing the second batch, with the first batch's clean outcome altered so that
            // reading it back (rather than recomputing it) shows in the result
            String first = lines.get(1);
            boolean wasFooled = first.contains("\"clean\":[true");
            String altered = first.replaceFirst("\"clean\":\\[(true|false)", "\"clean\":[" + !wasFooled);
            Files.write(journal, List.of(lines.get(0), altered, lines.get(2).substring(0, 25)));
            Map<String, Object> resumed = audit(4).run(m, "bitdepth:5", sixRandomImages(), true, journal);

            double step = 100.0 / 6;
            assertThat((double) resumed.get("clean_accuracy")).isCloseTo((double) full.get("clean_accuracy") + (wasFooled ? step : -step),
                    org.assertj.core.api.Assertions.within(1e-9));
            assertThat(Files.readAllLines(journal)).hasSize(3).element(2).isEqualTo(lines.get(2)); // batch 4 redone, same outcome
            assertThat(successRates(resumed)).isEqualTo(successRates(full)); // every attack's outcome as before

            // other settings never mix with this journal
            assertThatThrownBy(() -> audit(3).run(m, "bitdepth:5", sixRandomImages(), true, journal))
                    .isInstanceOf(UserError.class).hasMessageContaining("other settings");
        }
    }
}
