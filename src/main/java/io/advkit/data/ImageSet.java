package io.advkit.data;

import java.util.List;

/**
 * A labelled image collection with random access. Images are decoded on demand by {@link #image},
 * so holding an ImageSet costs memory only for names and labels, never for pixels.
 */
public interface ImageSet {
    int size();

    /** Relative path of image i inside its set ("12_3.png", "airplane/0001.jpg"); output files keep it. */
    String name(int i);

    int label(int i);

    Image image(int i);

    /** Class names in label order; empty when the source does not name its classes. */
    List<String> classNames();

    /** Where the set came from, for messages and JSON. */
    String describe();
}
