package io.advkit.cli;

import io.advkit.data.Datasets;
import io.advkit.data.ImageSet;
import picocli.CommandLine.Mixin;
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

    @Mixin
    SelectionOptions selection;

    ImageSet open() {
        return selection.select(Datasets.open(data, split, classes));
    }
}
