package io.advkit.cli;

import io.advkit.data.Datasets;
import io.advkit.data.ImageSet;
import io.advkit.data.Preprocessed;
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

    @Option(names = "--class-names", paramLabel = "FILE", description = "class names file, one per line, fixing label order (also ImageNet's synset list: WNID name...)")
    Path classes;

    @Option(names = "--resize", paramLabel = "S",
            description = "resize each image's shorter side to S (bilinear, as torchvision's Resize on PIL), before --center-crop")
    Integer resize;

    @Option(names = "--center-crop", paramLabel = "S", description = "crop the central SxS square (torchvision's CenterCrop)")
    Integer centerCrop;

    @Mixin
    SelectionOptions selection;

    /** The selected images, each as the model sees it (after --resize and --center-crop). */
    ImageSet open() {
        return Preprocessed.of(selection.select(Datasets.open(data, split, classes)), resize, centerCrop);
    }
}
