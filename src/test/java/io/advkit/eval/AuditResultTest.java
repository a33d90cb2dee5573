package io.advkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.report.ReportBuilder;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An audit's numbers agree with each other: every row, the worst case, and the chart drawn from them. */
class AuditResultTest {
    @Test
    void rowsSweepAndChartTellTheSameStory() {
        try (ZooModel m = ZooModel.create("tiny", "resnet20", 3, Normalization.named("pytorchcv-cifar"), 7)) {
            Audit.Result r = AuditJournalTest.audit(3).run(m, "bitdepth:5", AuditJournalTest.sixRandomImages(), true, null);
            for (Audit.Row row : r.attacks()) {
                // an image is robust only if classified correctly clean and attacked: the two shares are complements
                assertThat(row.robustAccuracy() + row.successRate()).as(row.attack() + " " + row.gradients()).isCloseTo(100, within(1e-9));
                assertThat(row.robustAccuracy()).isLessThanOrEqualTo(r.cleanAccuracy() + 1e-9);
                assertThat(row.fooledImages()).hasSize((int) Math.round(row.successRate() * r.images() / 100));
                if (row.inWorstCase()) {
                    assertThat(r.worstCaseRobustAccuracy()).isLessThanOrEqualTo(row.robustAccuracy() + 1e-9);
                }
            }
            Map<String, double[][]> chart = ReportBuilder.sweepSeries(r.sweep());
            double[] eps = r.sweep().eps255();
            for (int k = 0; k < eps.length; k++) {
                double e = eps[k];
                for (String g : List.of("naive", "adaptive")) {
                    Audit.Row row = r.attacks().stream().filter(a -> a.attack().equals("pgd-sweep") && a.gradients().equals(g) && a.eps255() == e)
                            .findFirst().orElseThrow();
                    double[][] series = chart.get(g.equals("naive") ? "naive gradients" : "adaptive (BPDA+EoT)");
                    assertThat(series[0][k]).isEqualTo(e);
                    assertThat(series[1][k]).as(g + " at eps " + e).isEqualTo(row.robustAccuracy()); // the chart plots the table
                }
            }
        }
    }
}
