package io.advkit.data;

import io.advkit.util.UserError;

import java.util.stream.IntStream;

/** Checks of a whole image set before a job writes anything, so that a bad image or label stops it at once. */
public final class ImageChecks {
    private ImageChecks() {}

    /**
     * Every label must be one of a model's classes: an image labelled 150 under a 100-class model would
     * otherwise count as misclassified, or crash an attack deep in the engine.
     */
    public static void requireLabelsBelow(ImageSet set, int classes, String modelName) {
        for (int i = 0; i < set.size(); i++) {
            int label = set.label(i);
            if (label < 0 || label >= classes) {
                throw UserError.invalid("data", set.describe() + "/" + set.name(i) + ": label " + label + " is not one of the "
                        + classes + " classes of " + modelName + " (0.." + (classes - 1) + "); is this the data the model was trained for?");
            }
        }
    }

    /** The images are of the kind the model takes: RGB for 3 channels, grayscale for 1 (one image is read). */
    public static void requireChannels(ImageSet set, int channels, String modelName) {
        if (set.size() == 0) {
            return;
        }
        Image first = set.image(0);
        if (first.channels() != channels) {
            throw UserError.invalid("data", set.describe() + "/" + set.name(0) + ": a " + first.kind() + " image, but " + modelName
                    + " takes " + (channels == 1 ? "grayscale" : channels == 3 ? "RGB" : channels + "-channel") + " images");
        }
    }

    /** Every image decodes, and all have the first one's size (decoded in parallel; nothing is kept). */
    public static void requireReadable(ImageSet set) {
        if (set.size() == 0) {
            throw UserError.invalid("data", set.describe() + ": no images");
        }
        Image first = set.image(0);
        IntStream.range(1, set.size()).parallel().forEach(i -> Batches.requireSize(set.image(i), first, set, i));
    }
}
