package io.advkit.spark;

import io.advkit.util.AtomicFiles;
import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A job's output folder as shards fill it: a shard's files are moved in one by one (each copied under a temporary
 * name, then renamed, so a reader never sees half a file), then its records are written to
 * {@code .shards/shard-NNNNN.jsonl} — last, atomically. A record file is the proof that its shard's files are all
 * there: a rerun skips that shard, a retried task returns the records instead of redoing the work, and since each
 * shard has one record file, no image is ever recorded twice. A shard whose task died between the two steps has no
 * record file and is redone; its files are rewritten with the same bytes.
 */
final class ShardStore {
    static final String FOLDER = ".shards";

    private final Path out;

    ShardStore(Path out) {
        this.out = out;
    }

    Path recordFile(int shard) {
        return out.resolve(FOLDER).resolve(String.format("shard-%05d.jsonl", shard));
    }

    /** The records of a finished shard, if it is finished. */
    Optional<List<String>> records(int shard) {
        Path f = recordFile(shard);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList());
        } catch (IOException e) {
            throw new UserError(f + ": cannot read (" + Errors.describe(e) + ")");
        }
    }

    /** Moves every file of {@code scratch} into the output folder, then writes the shard's records. */
    void publish(int shard, Path scratch, List<String> records, String attempt) {
        Path temp = out.resolve(FOLDER);
        try {
            Files.createDirectories(temp);
            List<Path> files;
            try (Stream<Path> s = Files.list(scratch)) {
                files = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
            }
            for (Path f : files) {
                Path t = temp.resolve(attempt + "-" + f.getFileName());
                Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING); // the output may be another file system (a shared mount)
                Files.move(t, out.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UserError(out + ": cannot move shard " + shard + "'s files in (" + Errors.describe(e) + ")");
        }
        AtomicFiles.writeString(recordFile(shard), String.join("\n", records) + "\n");
    }

    /** Removes the shards' records once the job's own result file holds them. */
    void forget() {
        Path dir = out.resolve(FOLDER);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : new ArrayList<>(s.toList())) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UserError(dir + ": cannot remove the shards' records (" + Errors.describe(e) + ")");
        }
    }
}
