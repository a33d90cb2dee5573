package io.advkit.cli;

import io.advkit.data.Datasets;
import io.advkit.data.ImageSet;
import io.advkit.data.ImageSubset;
import io.advkit.util.UserError;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the images come from, and which of them to use. */
public class DataOptions {
    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "image folder (flat <label>_<k>.png or class sub-folders), CIFAR .bin file/folder, or .tar.gz")
    Path data;

    @Option(names = "--split", paramLabel = "NAME", description = "train or test, for sources holding both")
    String split;

    @Option(names = "--class-names", paramLabel = "FILE", description = "class names file, one per line, fixing label order")
    Path classes;

    @Option(names = "--limit", paramLabel = "N", description = "only the first N images (a quick try)")
    Integer limit;

    @Option(names = "--subset", paramLabel = "N", description = "only N images drawn evenly from every class (seeded by --subset-seed)")
    Integer subset;

    @Option(names = "--subset-seed", paramLabel = "S", defaultValue = "0", description = "seed of --subset's draw (default ${DEFAULT-VALUE})")
    long subsetSeed;

    ImageSet open() {
        return select(Datasets.open(data, split, classes));
    }

    /** The set reduced as --limit or --subset ask. */
    ImageSet select(ImageSet set) {
        if (limit != null && subset != null) {
            throw new UserError("--limit and --subset both choose images; give one of them");
        }
        if (limit != null) {
            return ImageSubset.first(set, limit);
        }
        return subset != null ? ImageSubset.balanced(set, subset, subsetSeed) : set;
    }
}
