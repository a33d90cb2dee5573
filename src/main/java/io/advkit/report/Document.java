package io.advkit.report;

import java.util.ArrayList;
import java.util.List;

/** A report as a list of blocks, rendered to Markdown and to a self-contained HTML page. */
public final class Document {
    sealed interface Block permits Heading, Paragraph, Table, Picture {}

    record Heading(int level, String text) implements Block {}

    record Paragraph(String text) implements Block {}

    record Table(List<String> header, List<List<String>> rows) implements Block {}

    /** @param path relative to the report's folder */
    record Picture(String path, String caption) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public Document(String title) {
        this.title = title;
    }

    public Document heading(int level, String text) {
        blocks.add(new Heading(level, text));
        return this;
    }

    public Document paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    public Document table(List<String> header, List<List<String>> rows) {
        blocks.add(new Table(header, rows));
        return this;
    }

    public Document picture(String path, String caption) {
        blocks.add(new Picture(path, caption));
        return this;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (Block b : blocks) {
            if (b instanceof Heading h) {
                sb.append("#".repeat(h.level() + 1)).append(' ').append(h.text()).append("\n\n");
            } else if (b instanceof Paragraph p) {
                sb.append(p.text()).append("\n\n");
            } else if (b instanceof Table t) {
                sb.append("| ").append(String.join(" | ", t.header())).append(" |\n|");
                t.header().forEach(x -> sb.append("---|"));
                sb.append('\n');
                for (List<String> r : t.rows()) {
                    sb.append("| ").append(String.join(" | ", r)).append(" |\n");
                }
                sb.append('\n');
            } else if (b instanceof Picture p) {
                sb.append("![").append(p.caption()).append("](").append(p.path()).append(")\n\n*").append(p.caption()).append("*\n\n");
            }
        }
        return sb.toString();
    }

    public String html() {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}td.num{text-align:right}\n")
                .append("th{background:#f2f2f2}tr:nth-child(even) td{background:#fafafa}\n")
                .append("figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{color:#555;font-size:13px}\n")
                .append(".flag{color:#b2182b;font-weight:bold}.ok{color:#2166ac}\n</style></head><body>\n<h1>")
                .append(esc(title)).append("</h1>\n");
        for (Block b : blocks) {
            if (b instanceof Heading h) {
                sb.append("<h").append(h.level() + 1).append('>').append(esc(h.text())).append("</h").append(h.level() + 1).append(">\n");
            } else if (b instanceof Paragraph p) {
                sb.append("<p>").append(inline(p.text())).append("</p>\n");
            } else if (b instanceof Table t) {
                sb.append("<table><thead><tr>");
                t.header().forEach(x -> sb.append("<th>").append(esc(x)).append("</th>"));
                sb.append("</tr></thead><tbody>\n");
                for (List<String> r : t.rows()) {
                    sb.append("<tr>");
                    r.forEach(x -> sb.append(x.matches("-?[0-9.,/%–]+") ? "<td class=\"num\">" : "<td>").append(cell(x)).append("</td>"));
                    sb.append("</tr>\n");
                }
                sb.append("</tbody></table>\n");
            } else if (b instanceof Picture p) {
                sb.append("<figure><img src=\"").append(esc(p.path())).append("\" alt=\"").append(esc(p.caption()))
                        .append("\"><figcaption>").append(esc(p.caption())).append("</figcaption></figure>\n");
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String cell(String s) {
        if (s.equals("FLAGGED")) {
            return "<span class=\"flag\">FLAGGED</span>";
        }
        if (s.equals("ok")) {
            return "<span class=\"ok\">ok</span>";
        }
        return inline(s);
    }

    /** Escapes, then turns `code` spans into code elements. */
    private static String inline(String s) {
        return esc(s).replaceAll("`([^`]+)`", "<code>$1</code>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
