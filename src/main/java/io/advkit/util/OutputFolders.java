package io.advkit.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /**
     * Whether a job configured by {@code config} may write to {@code out}: never onto the input, and only into an empty
     * folder or one holding this same job, finished ({@code manifest}, its "config" equal) or killed ({@code journal}
     * with that config), unless {@code overwrite}. Checks only; nothing is written. {@code what} names the job.
     */
    public static void requireResumable(Path in, Path out, boolean overwrite, String manifest, String journal, Object config, String what) {
        requireApartFrom(in, out);
        if (overwrite || isEmptyOrAbsent(out)) {
            return;
        }
        com.google.gson.JsonElement want = Json.asRecorded(config);
        com.google.gson.JsonElement have;
        if (Files.exists(out.resolve(manifest))) {
            com.google.gson.JsonElement m = Json.read(out.resolve(manifest));
            have = m.isJsonObject() ? m.getAsJsonObject().get("config") : null;
        } else if (Files.exists(out.resolve(journal))) {
            have = Journal.configOf(out.resolve(journal)).orElse(null);
        } else {
            throw UserError.invalid("out", out + " is not empty and holds no " + what + " of advkit's; write to an empty folder or allow overwriting it");
        }
        if (!want.equals(have)) {
            throw UserError.invalid("out", out + " holds a different " + what + " (" + String.join(", ",
                    have == null ? List.of("unreadable record") : Journal.differences(want, have)) + "); write to another folder or allow overwriting it");
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
