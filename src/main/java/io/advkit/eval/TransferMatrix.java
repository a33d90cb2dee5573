package io.advkit.eval;

import io.advkit.util.RunInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy of victim models (columns) on image sets (rows: clean, then one per attack configuration or
 * surrogate set). Lower is a stronger transfer attack.
 */
public record TransferMatrix(List<String> rows, List<String> victims, double[][] accuracy, int images) {
    /** One row of transfer.json: the images' label and each victim's accuracy on them. */
    public record Row(String row, Map<String, Double> accuracy) {}

    /** transfer.json. */
    public record Result(String kind, int images, List<String> victims, List<Row> rows, RunInfo run) {}

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

    public Result result(RunInfo run) {
        List<Row> rs = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            Map<String, Double> acc = new LinkedHashMap<>();
            for (int c = 0; c < victims.size(); c++) {
                acc.put(victims.get(c), accuracy[r][c]);
            }
            rs.add(new Row(rows.get(r), acc));
        }
        return new Result("transfer", images, victims, rs, run);
    }
}
