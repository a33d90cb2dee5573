package io.advkit.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Where results may go: never onto the inputs, never into a folder of images they would mix with. */
public final class OutputFolders {
    private OutputFolders() {}

    /**
     * The path with every link resolved, also for a path that does not exist yet (its nearest existing ancestor
     * is resolved and the rest appended): two names of one folder compare equal.
     */
    public static Path realPath(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            Path name = existing.getFileName();
            rest = rest == null ? name : name.resolve(rest);
            existing = existing.getParent();
        }
        try {
            Path real = existing == null ? abs.getRoot() : existing.toRealPath();
            return rest == null ? real : real.resolve(rest).normalize();
        } catch (IOException e) {
            return abs;
        }
    }

    /** Refuses an output folder that is the input, inside it, or holds it, however the paths are spelled. */
    public static void requireApartFrom(Path in, Path out) {
        Path a = realPath(in);
        Path b = realPath(out);
        if (a.equals(b) || (Files.isDirectory(a) && b.startsWith(a)) || a.startsWith(b)) {
            String shown = b.equals(out.toAbsolutePath().normalize()) ? out.toString() : out + " (really " + b + ")";
            throw UserError.invalid("out", shown + " would overwrite or mix with the input " + in + "; write to another folder");
        }
    }

    public static boolean isEmptyOrAbsent(Path dir) {
        if (!Files.isDirectory(dir)) {
            return !Files.exists(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list (" + Errors.describe(e) + ")");
        }
    }

    /**
     * Refuses a results folder that holds images other than {@code own} (the files this command writes there):
     * a chart dropped among an attack's PNGs would be read as one more image by every later command.
     */
    public static void requireNoForeignImages(Path out, Set<String> own) {
        if (!Files.isDirectory(out)) {
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            Path foreign = s.filter(f -> isImageName(f.getFileName().toString()) && !own.contains(f.getFileName().toString()))
                    .findFirst().orElse(null);
            if (foreign != null) {
                throw UserError.invalid("out", out + " holds images (" + foreign.getFileName() + ", ...); results would mix with them; "
                        + "write to another folder");
            }
        } catch (IOException e) {
            throw new UserError(out + ": cannot list (" + Errors.describe(e) + ")");
        }
    }

    private static boolean isImageName(String n) {
        String l = n.toLowerCase(Locale.ROOT);
        return !l.startsWith(".") && (l.endsWith(".png") || l.endsWith(".jpg") || l.endsWith(".jpeg"));
    }
}
