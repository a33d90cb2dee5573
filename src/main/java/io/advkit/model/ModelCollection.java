package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A collection of models of one task attacked in turn, as LGV attacks the models it collected (Gubri et al. 2022):
 * every forward that records a graph (a gradient) goes to the next member, so an attack step costs one model's
 * forward and backward and successive steps see different members. The members are visited in a fixed shuffled
 * order (seed 0), so consecutive gradients do not walk along the training trajectory. A forward without a graph
 * (predictions, accuracies) averages the logits of all members.
 */
public final class ModelCollection implements LoadedClassifier {
    private final List<ZooModel> members;
    private final String name;
    private int next;

    private ModelCollection(List<ZooModel> members, String name) {
        this.members = members;
        this.name = name;
    }

    /**
     * The {@code .advkit} models of a folder: a run folder of {@code advkit train --method lgv} (its
     * {@code collection/}) or any folder of model files of one task.
     */
    public static ModelCollection load(Path dir, String name) {
        List<Path> files = files(dir);
        return of(loadAll(files, AdvkitModelFile::load), files.stream().map(Path::toString).toList(), name);
    }

    /** A collection shipped in the zoo ({@link ModelZoo#collection}), its members' weights found or fetched by {@code loader}. */
    public static ModelCollection loadShipped(String collection, ModelLoader loader, String name) {
        List<ZooEntry> entries = ModelZoo.collection(collection);
        return of(loadAll(entries, e -> loader.loadZoo(e.name())), entries.stream().map(ZooEntry::name).toList(), name);
    }

    /** Every source's model, or none: those already loaded are closed when one fails. */
    private static <S> List<ZooModel> loadAll(List<S> sources, Function<S, ZooModel> load) {
        List<ZooModel> loaded = new ArrayList<>();
        try {
            for (S s : sources) {
                loaded.add(load.apply(s));
            }
        } catch (RuntimeException e) {
            loaded.forEach(ZooModel::close);
            throw e;
        }
        return loaded;
    }

    /**
     * Whether {@code where} (what follows {@code lgv:}) names a collection shipped in the zoo rather than a folder: a
     * folder of that name, if there is one, is what the user meant.
     */
    public static boolean isShipped(String where) {
        return !ModelZoo.collection(where).isEmpty() && !Files.exists(io.advkit.util.StoragePaths.parse(where));
    }

    /** The loaded members as one collection in a fixed shuffled order; all closed and refused if they do not classify the same images. */
    private static ModelCollection of(List<ZooModel> loaded, List<String> sources, String name) {
        ZooModel first = loaded.get(0);
        for (int i = 1; i < loaded.size(); i++) {
            ZooModel m = loaded.get(i);
            if (m.numClasses() != first.numClasses() || m.channels() != first.channels()) {
                loaded.forEach(ZooModel::close);
                throw UserError.invalid("model", sources.get(i) + " does not classify the same images as " + sources.get(0) + " ("
                        + m.numClasses() + " vs " + first.numClasses() + " classes, " + m.channels() + " vs " + first.channels() + " channels)");
            }
        }
        List<ZooModel> members = new ArrayList<>(loaded);
        Collections.shuffle(members, new Random(0));
        return new ModelCollection(members, name);
    }

    /** The architecture of the collection's (first) member, without loading the others: a folder or a shipped collection. */
    public static String archOf(String where) {
        return isShipped(where) ? ModelZoo.collection(where).get(0).arch()
                : AdvkitModelFile.archOf(files(io.advkit.util.StoragePaths.parse(where)).get(0));
    }

    private static List<Path> files(Path dir) {
        Path folder = Files.isDirectory(dir.resolve("collection")) ? dir.resolve("collection") : dir;
        if (!Files.isDirectory(folder)) {
            throw UserError.invalid("model", dir + ": no such folder of collected models, nor a collection shipped in the zoo");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".advkit")).sorted().toList();
        } catch (IOException e) {
            throw new UserError(folder + ": cannot list (" + Errors.describe(e) + ")");
        }
        if (files.isEmpty()) {
            throw UserError.invalid("model", folder + " holds no .advkit models to attack in turn");
        }
        return files;
    }

    @Override
    public NDArray logits(NDArray pixels) {
        if (JniUtils.isGradMode()) {
            ZooModel m = members.get(next);
            next = (next + 1) % members.size();
            return m.logits(pixels);
        }
        NDArray sum = null;
        for (ZooModel m : members) {
            NDArray z = m.logits(pixels);
            sum = sum == null ? z : sum.add(z);
        }
        return sum.div(members.size());
    }

    /** The prediction (all members) is not the one a gradient's forward computes (one member). */
    @Override
    public boolean objectiveIsLossOfLogits() {
        return false;
    }

    /** Each batch starts at the first member of the (fixed) order. */
    @Override
    public void startBatch(long seed) {
        next = 0;
    }

    @Override
    public boolean variesPerGradient() {
        return true;
    }

    /** How many models the collection holds. */
    public int size() {
        return members.size();
    }

    @Override
    public int numClasses() {
        return members.get(0).numClasses();
    }

    @Override
    public int channels() {
        return members.get(0).channels();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        members.forEach(ZooModel::close);
    }
}
