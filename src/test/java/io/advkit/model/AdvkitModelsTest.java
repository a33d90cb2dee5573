package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.Shared;
import io.advkit.data.ImageFolder;
import io.advkit.eval.Evaluator;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models advkit trained and ships (models/, registered in zoo-advkit.tsv) load from the jar and score what their cards say. */
class AdvkitModelsTest {
    @TempDir
    Path home;

    @Test
    void shippedModelsLoadFromTheClasspathWithTheirCardAccuracy() {
        List<ZooEntry> ours = ModelZoo.all().stream().filter(e -> e.source().equals("advkit")).toList();
        WeightsResolver resolver = new WeightsResolver(home, List.of(), null, true);
        for (ZooEntry e : ours) {
            Path weights = resolver.resolve(e); // extracted from the jar into the cache, checksum verified
            assertThat(weights).startsWith(home);
            try (ZooModel m = new ModelLoader(resolver).loadZoo(e.name())) {
                Matcher acc = Pattern.compile("([0-9.]+)% on cifar-10_eval").matcher(e.reference());
                if (acc.find()) {
                    var set = ImageFolder.open(Shared.require("data/cifar-10_eval"), List.of());
                    assertThat(Evaluator.evaluate(m, set, 200, true).accuracy()).as(e.name())
                            .isCloseTo(Double.parseDouble(acc.group(1)), org.assertj.core.data.Offset.offset(0.05));
                }
            }
        }
    }
}
