package io.advkit.util;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.annotations.JsonAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyper-parameters by their papers' names ("steps", "decay", "beta"), in the order they were given: what an
 * attack or training method records about itself. Each method has its own set, so this is the one open-ended
 * value in the results; everything around it is a typed record. Immutable; serialized as a plain JSON object.
 */
@JsonAdapter(Params.Adapter.class)
public final class Params {
    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static Params of(String name, Object value) {
        return new Params(new LinkedHashMap<>()).and(name, value);
    }

    /** A copy with one more entry (or that entry replaced); null values are left out. */
    public Params and(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        if (value == null) {
            m.remove(name);
        } else {
            m.put(name, value);
        }
        return new Params(m);
    }

    /** A copy with {@code other}'s entries after (or over) these. */
    public Params and(Params other) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.putAll(other.values);
        return new Params(m);
    }

    public Object get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name) {
        Object v = values.get(name);
        return v == null ? null : v instanceof JsonElement e && e.isJsonPrimitive() ? e.getAsString() : String.valueOf(v);
    }

    /** A number entry, or null. */
    public Double number(String name) {
        Object v = values.get(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof JsonElement e && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            return e.getAsDouble();
        }
        return null;
    }

    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && Json.LINE.toJsonTree(this).equals(Json.LINE.toJsonTree(p));
    }

    @Override
    public int hashCode() {
        return Json.LINE.toJson(this).hashCode();
    }

    @Override
    public String toString() {
        return Json.LINE.toJson(this);
    }

    static final class Adapter extends TypeAdapter<Params> {
        @Override
        public void write(JsonWriter out, Params p) throws IOException {
            if (p == null) {
                out.nullValue();
                return;
            }
            out.beginObject();
            for (var e : p.values.entrySet()) {
                out.name(e.getKey());
                Json.LINE.toJson(Json.LINE.toJsonTree(e.getValue()), out);
            }
            out.endObject();
        }

        @Override
        public Params read(JsonReader in) throws IOException {
            JsonElement e = com.google.gson.JsonParser.parseReader(in);
            if (e == null || e.isJsonNull()) {
                return null;
            }
            JsonObject o = e.getAsJsonObject();
            Map<String, Object> m = new LinkedHashMap<>();
            for (String k : o.keySet()) {
                m.put(k, o.get(k)); // kept as JSON: compared and printed, never computed with
            }
            return new Params(m);
        }
    }
}
