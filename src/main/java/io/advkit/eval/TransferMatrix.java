package io.advkit.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy of victim models (columns) on image sets (rows: clean, then one per attack configuration or
 * surrogate set). Lower is a stronger transfer attack.
 */
public record TransferMatrix(List<String> rows, List<String> victims, double[][] accuracy, int images) {
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| images \\ victim accuracy (%) |");
        victims.forEach(v -> sb.append(' ').append(v).append(" |"));
        sb.append("\n|---|");
        victims.forEach(v -> sb.append("---:|"));
        sb.append('\n');
        for (int r = 0; r < rows.size(); r++) {
            sb.append("| ").append(rows.get(r)).append(" |");
            for (int c = 0; c < victims.size(); c++) {
                sb.append(String.format(" %.1f |", accuracy[r][c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "transfer");
        m.put("images", images);
        m.put("victims", victims);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("row", rows.get(r));
            Map<String, Double> acc = new LinkedHashMap<>();
            for (int c = 0; c < victims.size(); c++) {
                acc.put(victims.get(c), accuracy[r][c]);
            }
            row.put("accuracy", acc);
            rs.add(row);
        }
        m.put("rows", rs);
        return m;
    }
}
