package io.advkit.cli;

import io.advkit.data.Datasets;
import io.advkit.data.Image;
import io.advkit.data.ImageSet;
import io.advkit.report.Charts;
import io.advkit.train.LinearLesson;
import io.advkit.util.Json;
import io.advkit.util.OutputFolders;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The linear lesson: logistic regression on two classes, standard vs FGSM-trained, and their weights as images. */
@Command(name = "linear", mixinStandardHelpOptions = true,
        description = "Logistic regression on two classes, trained standardly and with FGSM: FGSM training of a linear model is "
                + "an L1 penalty (loss(x') = softplus(eps*|w|_1 - y f(x))), so its weights go sparse. Writes linear.json and weights.png.")
public final class LinearCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "a dataset with train and test splits (e.g. Fashion-MNIST's IDX files)")
    Path data;

    @Option(names = "--pair", defaultValue = "0,1", split = ",", paramLabel = "A,B", description = "the two class labels: A is y = -1, B is y = +1 (default ${DEFAULT-VALUE})")
    int[] pair;

    @Option(names = "--eps", defaultValue = "25.5", description = "FGSM budget, 0..255 scale (default ${DEFAULT-VALUE}, i.e. 0.1)")
    double eps;

    @Option(names = "--epochs", defaultValue = "20", description = "(default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.05", description = "SGD learning rate, batches of 100 (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--seed", defaultValue = "0", description = "shuffling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes linear.json and weights.png here")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        if (pair.length != 2 || pair[0] == pair[1]) {
            throw new UserError("--pair takes two different class labels, e.g. 0,1");
        }
        if (!(eps >= 0) || epochs < 1 || !(lr > 0)) {
            throw new UserError("--eps must be >= 0, --epochs >= 1 and --lr > 0");
        }
        if (!Datasets.hasSplit(data, "train") || !Datasets.hasSplit(data, "test")) {
            throw new UserError(data + ": the linear lesson needs train and test splits (e.g. Fashion-MNIST's IDX files)");
        }
        OutputFolders.requireApartFrom(data, out);
        ImageSet trainSet = Datasets.open(data, "train", null);
        ImageSet testSet = Datasets.open(data, "test", null);
        LinearLesson.Data train = pairOf(trainSet);
        LinearLesson.Data test = pairOf(testSet);
        Image first = trainSet.image(0);
        List<String> names = trainSet.classNames();
        List<String> classes = List.of(label(names, pair[0]), label(names, pair[1]));
        LinearLesson.Result r = LinearLesson.run(trainSet.describe(), classes, first.height(), first.width() * first.channels(),
                train, test, eps / 255, epochs, lr, seed);
        Json.write(out.resolve("linear.json"), r);
        Charts.weightMaps(out.resolve("weights.png"), r);
        System.out.printf("%s (y = -1) vs %s (y = +1), eps %.3f, %d training and %d test images%n", classes.get(0), classes.get(1), r.eps(),
                r.trainImages(), r.testImages());
        System.out.printf("%-9s %9s %9s %9s %14s%n", "training", "clean", "FGSM", "|w|_1", "|w_i| < 1% max");
        for (LinearLesson.Model m : r.models()) {
            System.out.printf("%-9s %8.1f%% %8.1f%% %9.2f %13.1f%%%n", m.training(), m.clean(), m.fgsm(), m.l1(), m.nearZero());
        }
        System.out.println("wrote " + out.resolve("linear.json") + " and " + out.resolve("weights.png"));
        return 0;
    }

    private static String label(List<String> names, int k) {
        return k < names.size() ? names.get(k) : Integer.toString(k);
    }

    /** The images of the two classes, as rows of pixels in [0,1], labelled -1 (first class) and +1. */
    private LinearLesson.Data pairOf(ImageSet set) {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            int label = set.label(i);
            if (label != pair[0] && label != pair[1]) {
                continue;
            }
            Image im = set.image(i);
            float[] x = new float[im.pixels().length];
            for (int p = 0; p < x.length; p++) {
                x[p] = (im.pixels()[p] & 0xff) / 255f;
            }
            xs.add(x);
            ys.add(label == pair[1] ? 1 : -1);
        }
        if (!ys.contains(1) || !ys.contains(-1)) {
            throw new UserError(set.describe() + " has no images of class " + (ys.contains(1) ? pair[0] : pair[1]) + " (--pair)");
        }
        return new LinearLesson.Data(xs.toArray(float[][]::new), ys.stream().mapToInt(Integer::intValue).toArray());
    }
}
