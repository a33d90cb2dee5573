package io.advkit.data;

import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of images in one of two layouts:
 * <ul>
 *   <li>flat, as the homework ships it: {@code <label>_<k>.png}, the label is the number before "_";</li>
 *   <li>class sub-folders ({@code train/<class>/*.jpg}): labels are the folders' positions in the names
 *       file when one is given, else in alphabetical order (torchvision's ImageFolder convention).</li>
 * </ul>
 */
public final class ImageFolder implements ImageSet {
    private static final Pattern FLAT_NAME = Pattern.compile("^(\\d+)_.*");

    private final Path root;
    private final List<String> names;
    private final int[] labels;
    private final List<String> classNames;

    private ImageFolder(Path root, List<String> names, int[] labels, List<String> classNames) {
        this.root = root;
        this.names = names;
        this.labels = labels;
        this.classNames = classNames;
    }

    public static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    /** Opens a folder; {@code classNames} (may be empty) fixes the label order of sub-folder layouts. */
    public static ImageFolder open(Path dir, List<String> classNames) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": no such folder");
        }
        List<Path> files = list(dir, ImageFolder::isImageFile);
        List<Path> subdirs = list(dir, p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."));
        if (!files.isEmpty()) {
            return openFlat(dir, files, classNames);
        }
        List<Path> classDirs = subdirs.stream().filter(d -> !list(d, ImageFolder::isImageFile).isEmpty()).toList();
        if (classDirs.isEmpty()) {
            throw new UserError(dir + ": empty folder: no .png/.jpg images, neither directly nor in class sub-folders");
        }
        return openClassFolders(dir, classDirs, classNames);
    }

    private static ImageFolder openFlat(Path dir, List<Path> files, List<String> classNames) {
        record Entry(String name, int label) {}
        List<Entry> entries = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            Matcher m = FLAT_NAME.matcher(name);
            if (!m.matches()) {
                throw new UserError(f + ": file name has no label; expected <label>_<k>.png (e.g. 12_3.png)");
            }
            int label;
            try {
                label = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                throw new UserError(f + ": label '" + m.group(1) + "' is too large");
            }
            if (!classNames.isEmpty() && label >= classNames.size()) {
                throw new UserError(f + ": label " + label + " but the names file lists only " + classNames.size() + " classes");
            }
            entries.add(new Entry(name, label));
        }
        entries.sort(Comparator.comparingInt(Entry::label).thenComparing(Entry::name, ImageFolder::naturalOrder));
        return new ImageFolder(dir, entries.stream().map(Entry::name).toList(),
                entries.stream().mapToInt(Entry::label).toArray(), classNames);
    }

    /**
     * The line naming a class folder: the folder's name itself, or a line starting with it and a space, as in
     * ImageNet's synset list ("n01440764 tench, Tinca tinca" names folder n01440764).
     */
    private static int indexOfClass(List<String> classes, String folder) {
        for (int i = 0; i < classes.size(); i++) {
            String c = classes.get(i);
            if (c.equals(folder) || c.startsWith(folder) && c.length() > folder.length() && Character.isWhitespace(c.charAt(folder.length()))) {
                return i;
            }
        }
        return -1;
    }

    private static ImageFolder openClassFolders(Path dir, List<Path> classDirs, List<String> classNames) {
        List<String> classes = classNames.isEmpty()
                ? classDirs.stream().map(d -> d.getFileName().toString()).sorted().toList()
                : classNames;
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path d : classDirs) {
            String cls = d.getFileName().toString();
            int label = indexOfClass(classes, cls);
            if (label < 0) {
                throw new UserError(d + ": class folder '" + cls + "' is not in the names file");
            }
            for (Path f : list(d, ImageFolder::isImageFile)) {
                names.add(cls + "/" + f.getFileName());
                labels.add(label);
            }
        }
        // keep label order, then name order, whatever order the file system listed folders in
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.<Integer>comparingInt(labels::get)
                .thenComparing((a, b) -> naturalOrder(names.get(a), names.get(b))));
        List<String> sortedNames = new ArrayList<>();
        int[] sortedLabels = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sortedNames.add(names.get(order[i]));
            sortedLabels[i] = labels.get(order[i]);
        }
        return new ImageFolder(dir, List.copyOf(sortedNames), sortedLabels, classes);
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list folder (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    /** "2_10.png" after "2_9.png": digit runs compare as numbers. */
    static int naturalOrder(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    public Path root() {
        return root;
    }

    public Path path(int i) {
        return root.resolve(names.get(i));
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public String name(int i) {
        return names.get(i);
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public Image image(int i) {
        return ImageCodec.read(path(i));
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
