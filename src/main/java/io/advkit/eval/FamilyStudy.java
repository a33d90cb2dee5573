package io.advkit.eval;

import io.advkit.util.RunInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The result of a leave-one-family-out transfer study (`advkit transfer --leave-one-family-out`): every model's
 * accuracy on examples made without its family, undefended and behind each victim-side defense. One place for its
 * table, which both the study's transfer.md and `advkit report` print. A study runs for hours, so it is written after
 * every family: {@code pending} names the families still to be held out (empty once the study is complete).
 * {@code notHeldOut} names the families a run restricted to others left out: they attack, but have no row.
 */
public record FamilyStudy(String kind, String data, int images, String attack, List<Row> rows, List<String> pending,
                          List<String> notHeldOut, RunInfo run) {
    public static final String KIND = "leave-one-family-out";

    /** Whether every family has been held out (a study written before {@code pending} existed was written only then). */
    public boolean complete() {
        return pending == null || pending.isEmpty();
    }

    /** For a study still running (or killed): which families are missing from its table; empty when complete. */
    public String progress() {
        if (complete()) {
            return "";
        }
        long done = rows.stream().map(Row::family).distinct().count();
        return String.format("partial: %d of %d families held out so far; still to come: %s", done, done + pending.size(),
                String.join(", ", pending));
    }

    /**
     * For a study restricted to some families: which families only attacked (so its worst row is the worst of the chosen
     * families, not of all); empty for a study that holds out every family.
     */
    public String scope() {
        if (notHeldOut == null || notHeldOut.isEmpty()) {
            return "";
        }
        List<String> held = rows.stream().map(Row::family).distinct().toList();
        List<String> chosen = new ArrayList<>(held);
        if (pending != null) {
            chosen.addAll(pending);
        }
        return String.format("held out by choice: %s only; the other families attacked but were not held out: %s",
                String.join(", ", chosen), String.join(", ", notHeldOut));
    }

    /** One held-out model's accuracies: undefended, and behind each victim-side defense. */
    public record Row(String family, String model, double clean, double adversarial, List<Defended> defended, List<String> surrogates) {}

    /** A held-out model's accuracy behind a preprocessing defense it was not attacked through (a victim's choice). */
    public record Defended(String defense, double clean, double adversarial) {}

    /** The victim-side defenses, in the rows' order (every row has the same ones). */
    public List<String> defenses() {
        return rows.isEmpty() ? List.of() : rows.get(0).defended().stream().map(Defended::defense).toList();
    }

    public List<String> header() {
        List<String> h = new ArrayList<>(List.of("held-out family", "model", "clean (%)", "on examples made without its family (%)"));
        defenses().forEach(d -> h.add("behind " + d + ": clean → adversarial (%)"));
        return h;
    }

    public List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (Row row : rows) {
            List<String> c = new ArrayList<>(List.of(row.family(), row.model(), pct(row.clean()), pct(row.adversarial())));
            row.defended().forEach(d -> c.add(pct(d.clean()) + " → " + pct(d.adversarial())));
            out.add(c);
        }
        return out;
    }

    /**
     * The study's result in one line: the worst held-out model (highest accuracy on examples made without its family),
     * undefended and behind each defense.
     */
    public String worst() {
        Row w = rows.stream().max(Comparator.comparingDouble(Row::adversarial)).orElseThrow();
        StringBuilder s = new StringBuilder(String.format("worst held-out: %.1f%% (%s, %s)", w.adversarial(), w.family(), w.model()));
        List<String> defenses = defenses();
        for (int i = 0; i < defenses.size(); i++) {
            int d = i;
            Row b = rows.stream().max(Comparator.comparingDouble((Row x) -> x.defended().get(d).adversarial())).orElseThrow();
            s.append(String.format("; behind %s %.1f%% (%s, %s)", defenses.get(d), b.defended().get(d).adversarial(), b.family(), b.model()));
        }
        return s.toString();
    }

    /** The table as Markdown, then the worst line (after a line saying what is missing, while the study is partial). */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        if (!complete()) {
            md.append(progress()).append("\n\n");
        }
        if (!scope().isEmpty()) {
            md.append(scope()).append("\n\n");
        }
        List<String> h = header();
        md.append("| ").append(String.join(" | ", h)).append(" |\n|---|---|");
        md.append("---:|".repeat(h.size() - 2)).append('\n');
        for (List<String> c : cells()) {
            md.append("| ").append(String.join(" | ", c)).append(" |\n");
        }
        return md.append('\n').append(worst()).append('\n').toString();
    }

    /** For a heatmap: one row per held-out model, columns clean, adversarial and the adversarial accuracy behind each defense. */
    public List<String> chartColumns() {
        List<String> c = new ArrayList<>(List.of("clean", "adversarial"));
        defenses().forEach(d -> c.add("adversarial behind " + d));
        return c;
    }

    public double[][] chartValues() {
        double[][] v = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            v[r] = new double[2 + row.defended().size()];
            v[r][0] = row.clean();
            v[r][1] = row.adversarial();
            for (int d = 0; d < row.defended().size(); d++) {
                v[r][2 + d] = row.defended().get(d).adversarial();
            }
        }
        return v;
    }

    private static String pct(double v) {
        return String.format("%.1f", v);
    }
}
