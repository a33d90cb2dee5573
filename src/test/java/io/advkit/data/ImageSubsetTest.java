package io.advkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ImageSubsetTest {
    /** 40 images: class 0 has 25 of them (first by name, as a sorted folder lists them), classes 1-3 five each. */
    private static ImageSet skewed() {
        List<String> names = new ArrayList<>();
        int[] labels = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = i < 25 ? 0 : 1 + (i - 25) / 5;
            names.add(labels[i] + "_" + i + ".png");
        }
        return new DecodedImages(names, labels, 1, 1, 3, new byte[40 * 3], List.of(), "skewed");
    }

    @Test
    void balancedSubsetsCoverEveryClassEvenly() {
        ImageSet s = ImageSubset.balanced(skewed(), 8, 0);
        TreeMap<Integer, Integer> perClass = new TreeMap<>();
        for (int i = 0; i < s.size(); i++) {
            perClass.merge(s.label(i), 1, Integer::sum);
        }
        assertThat(perClass).containsExactlyEntriesOf(new TreeMap<>(java.util.Map.of(0, 2, 1, 2, 2, 2, 3, 2)));
        // the first 8 would all be class 0: what the old held-out limit did
        ImageSet first = ImageSubset.first(skewed(), 8);
        for (int i = 0; i < first.size(); i++) {
            assertThat(first.label(i)).isZero();
        }
        // seeded: the same draw every time, another with another seed, and in the source's order
        ImageSet again = ImageSubset.balanced(skewed(), 8, 0);
        ImageSet other = ImageSubset.balanced(skewed(), 8, 1);
        List<String> a = names(s);
        assertThat(names(again)).isEqualTo(a);
        assertThat(names(other)).isNotEqualTo(a);
        assertThat(a).isSortedAccordingTo((x, y) -> Integer.compare(Integer.parseInt(x.split("[_.]")[1]), Integer.parseInt(y.split("[_.]")[1])));
        assertThat(ImageSubset.balanced(skewed(), 100, 0).size()).isEqualTo(40);
        assertThatThrownBy(() -> ImageSubset.first(skewed(), 0)).isInstanceOf(UserError.class);
    }

    private static List<String> names(ImageSet s) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            out.add(s.name(i));
        }
        return out;
    }
}
