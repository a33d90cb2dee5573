package io.advkit.cli;

import io.advkit.data.Image;
import io.advkit.data.ImageSet;
import io.advkit.model.InputShape;
import io.advkit.model.ModelLoader;
import io.advkit.model.Normalization;
import picocli.CommandLine.Option;

import java.util.function.Supplier;

/** How to feed models given as torchscript:FILE or onnx:FILE, on the commands that load models. */
public class ExternalModelOptions {
    @Option(names = "--input-size", paramLabel = "C,H,W",
            description = "input of torchscript:/onnx: models, e.g. 3,224,224 (default: the data's image size)")
    String inputSize;

    @Option(names = "--normalization", paramLabel = "NAME|mean=..;std=..",
            description = "normalization applied before torchscript:/onnx: models: none (default: the model normalizes itself), "
                    + "a known name (imagenet, chenyaofo-cifar100, ...) or mean=A,B,C;std=D,E,F")
    String normalization;

    /** Loads models for a job on {@code data}: a TorchScript or ONNX model takes the data's image size by default. */
    ModelLoader loader(CommonOptions common, ImageSet data) {
        Normalization n = normalization == null ? null : Normalization.parse(normalization);
        Supplier<InputShape> shape = inputSize != null ? () -> InputShape.parse(inputSize) : () -> {
            Image first = data.image(0);
            return new InputShape(3, first.height(), first.width());
        };
        return common.modelLoader(new ModelLoader.External(shape, n == null || n.isIdentity() ? null : n));
    }
}
