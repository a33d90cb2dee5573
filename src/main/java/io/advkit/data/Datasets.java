package io.advkit.data;

import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Opens whatever the user points {@code --data} at: an image folder, CIFAR binaries, IDX files (MNIST) or a .tar.gz. */
public final class Datasets {
    private static final Set<String> SPLITS = Set.of("train", "test", "val", "valid", "validation");

    private Datasets() {}

    /** Where unpacked archives are kept: $ADVKIT_CACHE, else ~/.cache/advkit. */
    public static Path cacheRoot() {
        String env = System.getenv("ADVKIT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "advkit");
    }

    /**
     * @param split     "train"/"test" to pick a split inside the source, or null
     * @param namesFile class names file fixing label order, or null
     */
    public static ImageSet open(Path path, String split, Path namesFile) {
        List<String> names = namesFile == null ? List.of() : ClassNames.read(namesFile);
        if (!Files.exists(path)) {
            throw new UserError(path + ": no such file or folder");
        }
        if (TarGzArchive.isTarGz(path)) {
            Path root = TarGzArchive.unpackToCache(path, cacheRoot().resolve("datasets"));
            return ImageFolder.open(chooseSplit(root, split, path), names);
        }
        if (IdxImages.isImagesFile(path)) {
            return IdxImages.open(path, names);
        }
        if (Files.isDirectory(path) && IdxImages.containsIdx(path)) {
            Path images = IdxImages.imagesFile(path, split);
            if (images == null) {
                throw new UserError(path + ": has no IDX images of split '" + split + "'");
            }
            return IdxImages.open(images, names);
        }
        if (Files.isRegularFile(path) && CifarBinary.isCifarBinary(path)) {
            return CifarBinary.open(path, split);
        }
        if (Files.isDirectory(path) && containsCifarBinaries(path)) {
            return CifarBinary.open(path, split);
        }
        if (!Files.isDirectory(path)) {
            throw new UserError(path + ": expected an image folder, a CIFAR .bin file or a .tar.gz archive");
        }
        return ImageFolder.open(chooseSplit(path, split, path), names);
    }

    /** Whether {@code path} holds a split of that name (a folder, inside an archive, or CIFAR binaries). */
    public static boolean hasSplit(Path path, String split) {
        if (TarGzArchive.isTarGz(path)) {
            Path root = TarGzArchive.unpackToCache(path, cacheRoot().resolve("datasets"));
            return findSplit(root, split) != null;
        }
        if (Files.isDirectory(path) && containsCifarBinaries(path)) {
            return true;
        }
        if (Files.isDirectory(path) && IdxImages.containsIdx(path)) {
            return IdxImages.imagesFile(path, split) != null;
        }
        return Files.isDirectory(path) && findSplit(path, split) != null;
    }

    private static Path findSplit(Path root, String split) {
        try (Stream<Path> s = Files.walk(root, 3)) {
            return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().equals(split))
                    .min((a, b) -> Integer.compare(a.getNameCount(), b.getNameCount())).orElse(null);
        } catch (IOException e) {
            throw new UserError(root + ": cannot list (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    private static boolean containsCifarBinaries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(CifarBinary::isCifarBinary);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The folder to read: the one named {@code split} (searched two levels down, so the archive's
     * "cifar10-jpg/train" is found from its root), or {@code root} itself when no split is asked for.
     */
    private static Path chooseSplit(Path root, String split, Path shownAs) {
        if (split == null) {
            List<String> found = splitFolders(root);
            if (found.size() > 1) {
                throw UserError.invalid("split", shownAs + ": holds the splits " + found + "; choose one");
            }
            return found.size() == 1 && !hasImages(root) ? root.resolve(found.get(0)) : root;
        }
        Path found = findSplit(root, split);
        if (found == null) {
            throw new UserError(shownAs + ": has no '" + split + "' folder");
        }
        return found;
    }

    /** Split folders at the first level below root, looking through a single wrapping folder. */
    private static List<String> splitFolders(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            List<String> splits = dirs.stream().map(d -> d.getFileName().toString()).filter(SPLITS::contains).sorted().toList();
            if (splits.isEmpty() && dirs.size() == 1 && !hasImages(root)) {
                return splitFolders(dirs.get(0)).stream().map(n -> dirs.get(0).getFileName() + "/" + n).toList();
            }
            return splits;
        } catch (IOException e) {
            throw new UserError(root + ": cannot list (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    private static boolean hasImages(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(ImageFolder::isImageFile);
        } catch (IOException e) {
            return false;
        }
    }
}
