package io.advkit.util;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A long job's resume file, shared by every resumable job (attack, audit, training, ...): a header line naming
 * the job's configuration, then one JSON line per finished unit of work (a batch, an epoch), each a record of
 * type {@code R}. Units are independent and deterministic, so a job killed at any point and restarted with the
 * same configuration reads its finished units back and redoes the rest.
 * <ul>
 *   <li>A last line cut short by the kill is dropped, and the file rewritten without it so that the next
 *       append starts on a line of its own.</li>
 *   <li>A journal written with another configuration is never mixed in: opening it fails with the settings
 *       that differ.</li>
 *   <li>Appends are one write of a whole line, so at most the line being written when the job died is lost.</li>
 * </ul>
 */
public final class Journal<R> {
    private final Path file;
    private final Class<R> type;
    private final List<R> records;

    private Journal(Path file, Class<R> type, List<R> records) {
        this.file = file;
        this.type = type;
        this.records = records;
    }

    /** Opens (or creates) the journal of the job configured by {@code config} (a record, serialized as JSON). */
    public static <R> Journal<R> open(Path file, Object config, Class<R> type) {
        JsonElement want = Json.asRecorded(config);
        String header = Json.LINE.toJson(header(want));
        try {
            if (!Files.exists(file)) {
                AtomicFiles.writeString(file, header + "\n");
                return new Journal<>(file, type, new ArrayList<>());
            }
            List<String> lines = Files.readAllLines(file);
            JsonElement have = lines.isEmpty() ? null : configIn(lines.get(0));
            if (have == null) {
                throw new UserError(file + ": not an advkit journal; move it away or write to another folder");
            }
            if (!have.equals(want)) {
                throw new UserError(file + " belongs to a job with other settings (" + String.join(", ", differences(want, have))
                        + "); finish it with the same settings or write to another folder");
            }
            List<R> records = new ArrayList<>();
            StringBuilder kept = new StringBuilder(lines.get(0)).append('\n');
            boolean torn = false;
            for (String line : lines.subList(1, lines.size())) {
                R r = parse(line, type);
                if (r == null) {
                    torn = true; // cut short by a kill: that unit is done again
                    continue;
                }
                records.add(r);
                kept.append(line).append('\n');
            }
            if (torn) {
                AtomicFiles.writeString(file, kept.toString());
            }
            return new Journal<>(file, type, records);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + Errors.describe(e) + ")");
        }
    }

    /** The configuration recorded in an existing journal's header, if the file is one. */
    public static Optional<JsonElement> configOf(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? Optional.empty() : Optional.ofNullable(configIn(lines.get(0)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The top-level settings (dotted, one level down) in which two configurations differ. */
    public static List<String> differences(JsonElement a, JsonElement b) {
        List<String> out = new ArrayList<>();
        if (a.isJsonObject() && b.isJsonObject()) {
            TreeSet<String> keys = new TreeSet<>(a.getAsJsonObject().keySet());
            keys.addAll(b.getAsJsonObject().keySet());
            for (String k : keys) {
                JsonElement x = a.getAsJsonObject().get(k);
                JsonElement y = b.getAsJsonObject().get(k);
                if (x != null && y != null && x.isJsonObject() && y.isJsonObject()) {
                    differences(x, y).forEach(d -> out.add(k + "." + d));
                } else if (x == null ? y != null : !x.equals(y)) {
                    out.add(k + " " + (x == null ? "unset" : x) + " here, " + (y == null ? "unset" : y) + " there");
                }
            }
        } else if (!a.equals(b)) {
            out.add(a + " here, " + b + " there");
        }
        return out;
    }

    private static JsonObject header(JsonElement config) {
        JsonObject h = new JsonObject();
        h.addProperty("advkit_journal", 1);
        h.add("config", config);
        return h;
    }

    private static JsonElement configIn(String headerLine) {
        try {
            JsonElement e = JsonParser.parseString(headerLine);
            if (e.isJsonObject() && e.getAsJsonObject().has("advkit_journal")) {
                return e.getAsJsonObject().get("config");
            }
        } catch (JsonParseException ignored) {
            // not a header
        }
        return null;
    }

    private static <R> R parse(String line, Class<R> type) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? Json.LINE.fromJson(e, type) : null;
        } catch (JsonParseException | IllegalStateException | NumberFormatException torn) {
            return null;
        }
    }

    /** The units finished so far, in the order they were appended. */
    public List<R> records() {
        return List.copyOf(records);
    }

    /** Records one finished unit. */
    public void append(R record) {
        String line = Json.LINE.toJson(record) + "\n";
        try {
            Files.writeString(file, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + Errors.describe(e) + ")");
        }
        records.add(record);
    }

    /** Keeps only the first {@code n} units (a job whose own checkpoint knows fewer units than its journal). */
    public void retainFirst(int n) {
        if (n >= records.size()) {
            return;
        }
        records.subList(n, records.size()).clear();
        JsonElement config = configOf(file).orElseThrow();
        StringBuilder sb = new StringBuilder(Json.LINE.toJson(header(config))).append('\n');
        records.forEach(r -> sb.append(Json.LINE.toJson(r)).append('\n'));
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Removes the file once the job's result holds everything the journal did. */
    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover journal only repeats the finished result
        }
    }

    @Override
    public String toString() {
        return "Journal[" + file + ", " + type.getSimpleName() + " x " + records.size() + "]";
    }
}
