package io.advkit.model;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained generator as a file ({@code generator.advkit}, the model files' zip container): {@code generator.json}
 * (its {@link GanGenerator.Spec} and how it was trained) and {@code weights.pth} (a PyTorch state_dict). Loading reads
 * tensors and a description, never code.
 */
public final class GeneratorFile {
    public static final String FORMAT = "advkit-generator-1";

    private GeneratorFile() {}

    /** Writes the generator with its spec; {@code info} (a record, or null) adds how it was trained. */
    public static void save(Path file, GanGenerator g, Object info) {
        JsonObject meta = new JsonObject();
        meta.addProperty("format", FORMAT);
        Json.GSON.toJsonTree(g.spec()).getAsJsonObject().entrySet().forEach(e -> meta.add(e.getKey(), e.getValue()));
        if (info != null) {
            Json.GSON.toJsonTree(info).getAsJsonObject().entrySet().forEach(e -> meta.add(e.getKey(), e.getValue()));
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("generator.json", Json.GSON.toJson(meta).getBytes(StandardCharsets.UTF_8));
        entries.put("weights.pth", AdvkitModelFile.stateDictBytes(StateDictBinder.export(g)));
        AdvkitModelFile.writeEntries(file, entries);
    }

    /** The generator in {@code file}, in inference mode with frozen weights, its arrays owned by {@code manager}. */
    public static GanGenerator load(Path file, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": no such generator file (advkit train trains one with its wgan-gp method)");
        }
        Map<String, byte[]> entries = AdvkitModelFile.readEntries(file);
        if (!entries.containsKey("generator.json") || !entries.containsKey("weights.pth")) {
            throw new UserError(file + ": not a generator file (generator.json or weights.pth missing)");
        }
        GanGenerator.Spec spec;
        try {
            spec = Json.GSON.fromJson(new String(entries.get("generator.json"), StandardCharsets.UTF_8), GanGenerator.Spec.class);
        } catch (com.google.gson.JsonParseException e) {
            throw new UserError(file + ": generator.json is not valid (" + io.advkit.util.Errors.describe(e) + ")");
        }
        if (spec == null || !GanGenerator.Spec.ARCH.equals(spec.arch())) {
            throw new UserError(file + ": unknown generator architecture " + (spec == null ? null : spec.arch()));
        }
        spec = new GanGenerator.Spec(spec.arch(), spec.latent(), spec.width(), spec.channels(), spec.size()); // validated
        GanGenerator g = GanGenerator.create(spec, manager);
        StateDictBinder.load(g, AdvkitModelFile.stateDictFrom(entries.get("weights.pth"), file.toString()), file.toString(), spec.arch());
        g.setTrainable(false);
        return g;
    }
}
