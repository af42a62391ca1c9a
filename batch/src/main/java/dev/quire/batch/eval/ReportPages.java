package dev.quire.batch.eval;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown and HTML renderings of an {@link EvalReport} (the HTML is self-contained: inline CSS and SVG). */
final class ReportPages {
    private ReportPages() {
    }

    private static final List<String[]> SECTIONS = List.of(
            new String[] {"by_evidence_kind", "Evidence kind"},
            new String[] {"by_answer_format", "Answer format"},
            new String[] {"by_evidence_source", "Evidence source"},
            new String[] {"by_document_type", "Document type"},
            new String[] {"by_page_count", "Page count"});

    static String json(Object v) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(v);
        }
    }

    static String pct(Object v) {
        return v == null ? "—" : String.format(Locale.ROOT, "%.1f", 100 * ((Number) v).doubleValue());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static String ci(Object interval) {
        Map<String, Object> m = map(interval);
        List<Object> ci = (List<Object>) m.get("ci95");
        return pct(m.get("value")) + " [" + pct(ci.get(0)) + ", " + pct(ci.get(1)) + "]";
    }

    static String markdown(EvalReport r) {
        Map<String, Object> j = r.json();
        StringBuilder s = new StringBuilder();
        s.append("# Evaluation run ").append(j.get("run")).append(": ").append(j.get("name")).append("\n\n");
        if (j.containsKey("notice")) {
            s.append("> **").append(j.get("notice")).append("**\n\n");
        }
        Map<String, Object> model = map(j.get("model"));
        s.append("- benchmark: ").append(j.get("benchmark")).append(", source: `").append(j.get("source")).append("`\n");
        s.append("- model: ").append(model.get("name")).append(" (engine ").append(model.get("engine"))
                .append(", device ").append(model.get("device")).append(", checkpoint ").append(model.get("checkpoint")).append(")\n");
        s.append("- settings: `").append(json(j.get("settings"))).append("`\n");
        if (j.containsKey("page_cap")) {
            s.append("- ").append(j.get("page_cap")).append('\n');
        }
        s.append('\n');
        boolean mmlb = "mmlongbench".equals(j.get("benchmark"));
        s.append("| metric | value (%) [95% CI] |\n|---|---|\n");
        if (mmlb) {
            s.append("| accuracy | ").append(ci(j.get("accuracy"))).append(" |\n");
            s.append("| generalized F1 | ").append(ci(j.get("f1"))).append(" |\n");
        } else {
            s.append("| ANLS | ").append(ci(j.get("anls"))).append(" |\n");
        }
        s.append("\nPublished, for comparison: ");
        map(j.get("published")).forEach((k, v) -> s.append(k).append(" ").append(v).append("; "));
        s.append("\n\n## Counts\n\n");
        map(j.get("counts")).forEach((k, v) -> s.append("- ").append(k).append(": ").append(v).append('\n'));
        if (mmlb) {
            Map<String, Object> h = map(j.get("hallucination"));
            s.append("\n## Hallucination\n\n- false-answer rate on unanswerable questions: ").append(pct(h.get("false_answer_rate")))
                    .append("% (").append(h.get("false_answers")).append(" of ").append(h.get("unanswerable_questions")).append(")\n");
            s.append("- ungrounded rate: ").append(pct(h.get("ungrounded_rate"))).append(h.get("ungrounded_rate") == null ? " (" : "% (")
                    .append(h.get("ungrounded_answers")).append(" of ").append(h.get("grounding_checked")).append(" checked answers)\n");
            for (String[] sec : SECTIONS) {
                s.append("\n## ").append(sec[1]).append("\n\n| group | questions | accuracy (%) |\n|---|---|---|\n");
                map(j.get(sec[0])).forEach((k, v) -> s.append("| ").append(k.isEmpty() ? "(none)" : k).append(" | ")
                        .append(map(v).get("questions")).append(" | ").append(pct(map(v).get("accuracy"))).append(" |\n"));
            }
        }
        List<?> problems = (List<?>) j.get("problems");
        if (!problems.isEmpty()) {
            s.append("\n## Records left out\n\n");
            problems.forEach(p -> s.append("- ").append(p).append('\n'));
        }
        return s.toString();
    }

    static String html(EvalReport r) {
        Map<String, Object> j = r.json();
        boolean mmlb = "mmlongbench".equals(j.get("benchmark"));
        StringBuilder s = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation run ")
                .append(j.get("run")).append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}"
                        + ".notice{background:#fde68a;border:2px solid #b45309;padding:.8em;font-weight:bold}"
                        + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
                        + ".big{font-size:28px;font-weight:bold}.charts{display:flex;flex-wrap:wrap;gap:2em}"
                        + "svg text{font:12px system-ui,sans-serif}</style></head><body>");
        s.append("<h1>Evaluation run ").append(j.get("run")).append(": ").append(esc(String.valueOf(j.get("name")))).append("</h1>");
        if (j.containsKey("notice")) {
            s.append("<p class=\"notice\" id=\"demo-notice\">").append(esc(String.valueOf(j.get("notice")))).append("</p>");
        }
        Map<String, Object> model = map(j.get("model"));
        s.append("<p>").append(esc(String.valueOf(j.get("benchmark")))).append(" · model <b>").append(esc(String.valueOf(model.get("name"))))
                .append("</b> (").append(esc(String.valueOf(model.get("engine")))).append(", ").append(esc(String.valueOf(model.get("device"))))
                .append(") · settings <code>").append(esc(json(j.get("settings")))).append("</code></p>");
        if (j.containsKey("page_cap")) {
            s.append("<p id=\"page-cap\">").append(esc(String.valueOf(j.get("page_cap")))).append("</p>");
        }
        if (mmlb) {
            s.append("<p><span class=\"big\" id=\"accuracy\">").append(ci(j.get("accuracy"))).append("</span> accuracy (%) [95% CI] &nbsp; ")
                    .append("<span class=\"big\" id=\"f1\">").append(ci(j.get("f1"))).append("</span> F1</p>");
        } else {
            s.append("<p><span class=\"big\" id=\"accuracy\">").append(ci(j.get("anls"))).append("</span> ANLS (%) [95% CI]</p>");
        }
        s.append("<table><tr><th>published</th><th>%</th></tr>");
        map(j.get("published")).forEach((k, v) -> s.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(String.valueOf(v))).append("</td></tr>"));
        s.append("</table><h2>Counts</h2><table>");
        map(j.get("counts")).forEach((k, v) -> s.append("<tr><td>").append(esc(k)).append("</td><td>").append(v).append("</td></tr>"));
        s.append("</table>");
        if (mmlb) {
            Map<String, Object> h = map(j.get("hallucination"));
            s.append("<h2>Hallucination</h2><p>false answers on unanswerable questions: <b>").append(pct(h.get("false_answer_rate")))
                    .append("%</b> · ungrounded answers: <b>").append(pct(h.get("ungrounded_rate"))).append(h.get("ungrounded_rate") == null ? "" : "%")
                    .append("</b> (").append(h.get("grounding_checked")).append(" answers checked on their cited pages)</p>");
            s.append("<div class=\"charts\">");
            for (String[] sec : SECTIONS) {
                s.append("<div><h3>").append(sec[1]).append("</h3>").append(bars(map(j.get(sec[0])))).append("</div>");
            }
            s.append("</div>");
        }
        s.append("<h2>Items</h2><table id=\"items\"><tr><th>key</th><th>document</th><th>question</th><th>format</th><th>gold</th><th>prediction</th><th>score</th><th>status</th></tr>");
        for (Object o : (List<?>) j.get("items")) {
            Map<String, Object> i = map(o);
            s.append("<tr><td>").append(esc(String.valueOf(i.get("key")))).append("</td><td>").append(esc(String.valueOf(i.get("doc_id"))))
                    .append("</td><td>").append(esc(String.valueOf(i.get("question")))).append("</td><td>").append(esc(String.valueOf(i.get("format"))))
                    .append("</td><td>").append(esc(String.valueOf(i.get("gold")))).append("</td><td>").append(esc(String.valueOf(i.get("pred"))))
                    .append("</td><td>").append(i.get("score") == null ? "—" : String.format(Locale.ROOT, "%.4f", ((Number) i.get("score")).doubleValue()))
                    .append("</td><td>").append(i.get("status")).append(i.containsKey("note") ? " — " + esc(String.valueOf(i.get("note"))) : "")
                    .append("</td></tr>");
        }
        return s.append("</table></body></html>").toString();
    }

    /** A horizontal bar chart (accuracy per group, 0–100 %). */
    private static String bars(Map<String, Object> groups) {
        int rowH = 22;
        int h = Math.max(1, groups.size()) * rowH + 10;
        StringBuilder s = new StringBuilder("<svg width=\"470\" height=\"" + h + "\" role=\"img\">");
        int y = 5;
        for (var e : groups.entrySet()) {
            Map<String, Object> g = map(e.getValue());
            double acc = g.get("accuracy") == null ? 0 : ((Number) g.get("accuracy")).doubleValue();
            String label = e.getKey().isEmpty() ? "(none)" : e.getKey();
            s.append("<text x=\"0\" y=\"").append(y + 15).append("\">").append(esc(label.length() > 22 ? label.substring(0, 21) + "…" : label)).append("</text>");
            s.append("<rect x=\"150\" y=\"").append(y + 3).append("\" width=\"").append(String.format(Locale.ROOT, "%.1f", 200 * acc))
                    .append("\" height=\"15\" fill=\"#2563eb\"/>");
            s.append("<text x=\"").append(String.format(Locale.ROOT, "%.1f", 155 + 200 * acc)).append("\" y=\"").append(y + 15).append("\">")
                    .append(pct(g.get("accuracy"))).append("% (n=").append(g.get("questions")).append(")</text>");
            y += rowH;
        }
        return s.append("</svg>").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
