package io.advkit.cli;

import io.advkit.data.ImageSet;
import io.advkit.data.ImageSubset;
import io.advkit.util.UserError;
import picocli.CommandLine.Option;

/** Which images of a set to use: all, the first N (a quick try), or N drawn evenly from every class. */
public class SelectionOptions {
    @Option(names = "--limit", paramLabel = "N", description = "only the first N images (a quick try)")
    Integer limit;

    @Option(names = "--subset", paramLabel = "N", description = "only N images drawn evenly from every class (seeded by --subset-seed)")
    Integer subset;

    @Option(names = "--subset-seed", paramLabel = "S", defaultValue = "0", description = "seed of --subset's draw (default ${DEFAULT-VALUE})")
    long subsetSeed;

    /** The set reduced as --limit or --subset ask (the same images for sets with the same names and labels). */
    ImageSet select(ImageSet set) {
        if (limit != null && subset != null) {
            throw new UserError("--limit and --subset both choose images; give one of them");
        }
        if (limit != null) {
            ImageSet first = ImageSubset.first(set, limit);
            if (oneLabel(first) && !oneLabel(set)) { // a set stored class by class: the quick try would see one class
                System.err.printf("advkit: warning: the first %d images are all of class %d; --subset %d draws them evenly from every class%n",
                        first.size(), first.label(0), first.size());
            }
            return first;
        }
        return subset != null ? ImageSubset.balanced(set, subset, subsetSeed) : set;
    }

    private static boolean oneLabel(ImageSet set) {
        for (int i = 1; i < set.size(); i++) {
            if (set.label(i) != set.label(0)) {
                return false;
            }
        }
        return set.size() > 1;
    }
}
