package io.advkit.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit's resume file: one JSON line per finished batch (keyed by its first image's offset), after a header
 * line holding the settings' fingerprint. Batches are independent (their seeds derive from the offset), so a
 * killed audit restarted with the same settings gives the same numbers as an uninterrupted one.
 */
final class AuditJournal {
    private final Path file;
    private final Map<Integer, Audit.BatchOutcome> done = new HashMap<>();

    private AuditJournal(Path file) {
        this.file = file;
    }

    static AuditJournal open(Path file, String fingerprint) {
        AuditJournal j = new AuditJournal(file);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                j.appendLine(Json.LINE.toJson(Map.of("fingerprint", fingerprint)));
                return j;
            }
            List<String> lines = Files.readAllLines(file);
            String header = lines.isEmpty() ? "" : lines.get(0);
            if (!header.equals(Json.LINE.toJson(Map.of("fingerprint", fingerprint)))) {
                throw new UserError(file + " was written by an audit with other settings; use another --out or delete it");
            }
            StringBuilder kept = new StringBuilder(header).append('\n');
            for (String line : lines.subList(1, lines.size())) {
                try {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    j.done.put(o.get("offset").getAsInt(), new Audit.BatchOutcome(
                            Json.GSON.fromJson(o.get("clean"), boolean[].class), parseRows(o.getAsJsonObject("fooled"))));
                    kept.append(line).append('\n');
                } catch (JsonParseException | IllegalStateException | NullPointerException torn) {
                    // the last line of a killed run may be cut short: that batch is audited again
                }
            }
            // rewritten without the torn line, so the next append starts on a line of its own
            io.advkit.data.ImageCodec.writeAtomically(file, kept.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return j;
        } catch (IOException e) {
            throw new UserError(file + ": cannot read or write (" + e.getMessage() + ")");
        }
    }

    private static Map<String, boolean[]> parseRows(JsonObject o) {
        Map<String, boolean[]> rows = new LinkedHashMap<>();
        for (String k : o.keySet()) {
            rows.put(k, Json.GSON.fromJson(o.get(k), boolean[].class));
        }
        return rows;
    }

    /** The outcome of the batch starting at {@code offset}, or null when it still has to be audited. */
    Audit.BatchOutcome get(int offset) {
        return done.get(offset);
    }

    void append(int offset, Audit.BatchOutcome outcome) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("offset", offset);
        line.put("clean", outcome.cleanFooled());
        line.put("fooled", outcome.fooled());
        try {
            appendLine(Json.LINE.toJson(line));
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private void appendLine(String json) throws IOException {
        Files.writeString(file, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
