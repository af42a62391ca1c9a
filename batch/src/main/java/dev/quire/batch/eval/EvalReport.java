package dev.quire.batch.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quire.batch.eval.score.MmlbAggregate;
import dev.quire.batch.eval.score.MmlbScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A run's report, computed from its rows only: accuracy and F1 (MMLongBench-Doc) or ANLS with 95 % bootstrap
 * intervals, the official breakdowns (single-page / cross-page / unanswerable, evidence source, document type)
 * plus answer format and page-count bucket, the hallucination figures (false answers on unanswerable questions,
 * ungrounded answers), what was not scored and why, published anchors, and for demo-model runs the statement that
 * the numbers mean nothing. Written as JSON, Markdown and a self-contained HTML page with bar charts.
 */
public record EvalReport(Map<String, Object> json) {
    public static final String DEMO_NOTICE = "DEMO MODEL: these numbers are meaningless — the built-in demo model has "
            + "random weights. Point quire.vlm.model at a real checkpoint for comparable scores.";

    /** Published MMLongBench-Doc accuracies (%), shown beside a run. */
    public static final Map<String, String> MMLB_ANCHORS = linked(
            "Kimi-VL-A3B-Instruct (published)", "35.1", "GPT-4o (published)", "42.8", "best public (2025)", "≈ 56–57");
    public static final Map<String, String> ANLS_ANCHORS = linked("Kimi-VL-A3B-Instruct on InfoVQA (published)", "83.2");

    /** Run facts the report shows (identity and settings). */
    public record Run(long id, String benchmark, String name, String source, String settingsJson, String engine,
                      String model, String checkpoint, String device, boolean demo, List<String> problems,
                      String createdAt, String finishedAt) {
    }

    public static EvalReport of(Run run, List<EvalRow> rows, Bootstrap bootstrap) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("run", run.id());
        j.put("benchmark", run.benchmark());
        j.put("name", run.name());
        j.put("source", run.source());
        j.put("settings", readJson(run.settingsJson()));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("engine", run.engine());
        model.put("name", run.model());
        model.put("checkpoint", run.checkpoint());
        model.put("device", run.device());
        model.put("demo", run.demo());
        j.put("model", model);
        if (run.demo()) {
            j.put("notice", DEMO_NOTICE);
        }
        j.put("created_at", run.createdAt());
        j.put("finished_at", run.finishedAt());
        List<EvalRow> scored = rows.stream().filter(EvalRow::scored).toList();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("questions", rows.size());
        counts.put("scored", scored.size());
        counts.put("missing_document", rows.stream().filter(r -> "MISSING_DOC".equals(r.status())).count());
        counts.put("no_prediction", rows.stream().filter(r -> "NO_PREDICTION".equals(r.status())).count());
        counts.put("records_left_out", run.problems().size());
        counts.put("citing_page_0", rows.stream().filter(r -> r.evidencePages().stream().anyMatch(p -> p < 1)).count());
        counts.put("citing_past_end", rows.stream().filter(r -> r.docPages() != null && r.docPages() > 0
                && r.evidencePages().stream().anyMatch(p -> p > r.docPages())).count());
        counts.put("scorer_notes", scored.stream().filter(r -> r.note() != null).count());
        Object settings = j.get("settings");
        Integer cap = settings instanceof Map<?, ?> m && m.get("max_pages") instanceof Number n && n.intValue() > 0
                ? n.intValue() : null;
        if (cap != null && run.benchmark().equals("mmlongbench")) {
            long docsOver = rows.stream().filter(r -> r.docPages() != null && r.docPages() > cap).map(EvalRow::docId)
                    .distinct().count();
            long questionsOver = rows.stream().filter(r -> r.docPages() != null && r.docPages() > cap).count();
            long evidenceBeyond = rows.stream().filter(r -> r.evidencePages().stream().anyMatch(p -> p > cap)).count();
            counts.put("documents_over_page_cap", docsOver);
            counts.put("questions_on_capped_documents", questionsOver);
            counts.put("evidence_beyond_page_cap", evidenceBeyond);
            j.put("page_cap", pageCapStatement(cap, docsOver, questionsOver, evidenceBeyond,
                    "predictions-file".equals(((Map<?, ?>) settings).get("mode"))));
        }
        j.put("counts", counts);
        if (run.benchmark().equals("mmlongbench")) {
            mmlongbench(j, scored, bootstrap);
            j.put("published", MMLB_ANCHORS);
        } else {
            anls(j, scored, bootstrap);
            j.put("published", ANLS_ANCHORS);
        }
        j.put("bootstrap", Map.of("rounds", bootstrap.rounds(), "seed", bootstrap.seed(), "level", 0.95));
        j.put("problems", run.problems());
        j.put("items", rows.stream().map(EvalReport::item).toList());
        return new EvalReport(j);
    }

    /** What the page cap did, in words (shown in every report format). */
    static String pageCapStatement(int cap, long docsOver, long questionsOver, long evidenceBeyond, boolean predictionsFile) {
        if (docsOver == 0) {
            return "page cap " + cap + ": no document has more pages, every page was available";
        }
        String docs = docsOver + (docsOver == 1 ? " document has" : " documents have") + " more than " + cap + " pages: ";
        String what = predictionsFile
                ? "the protocol allows a system only their first " + cap + " pages (a predictions file's system applied its own)"
                : "only their first " + cap + " pages were in the prompts, later pages were not shown to the model";
        return "page cap " + cap + ": " + docs + what + " (" + questionsOver + " questions on those documents, "
                + evidenceBeyond + " citing evidence beyond page " + cap + ")";
    }

    private static void mmlongbench(Map<String, Object> j, List<EvalRow> scored, Bootstrap bootstrap) {
        MmlbAggregate all = aggregate(scored);
        Bootstrap.Interval acc = bootstrap.interval(scored.size(), idx -> aggregate(pick(scored, idx)).accuracy());
        Bootstrap.Interval f1 = bootstrap.interval(scored.size(), idx -> aggregate(pick(scored, idx)).f1());
        j.put("accuracy", interval(acc));
        j.put("f1", interval(f1));
        j.put("recall", all.recall());
        j.put("precision", all.precision());
        Map<String, Object> kinds = new LinkedHashMap<>();
        kinds.put("single-page", group(scored, r -> r.evidencePages().size() == 1));
        kinds.put("cross-page", group(scored, r -> r.evidencePages().size() != 1 && !MmlbScorer.NOT_ANSWERABLE.equals(r.gold())));
        kinds.put("unanswerable", group(scored, r -> MmlbScorer.NOT_ANSWERABLE.equals(r.gold())));
        j.put("by_evidence_kind", kinds);
        Map<String, Object> formats = new LinkedHashMap<>();
        for (String f : List.of("Int", "Float", "Str", "List", "None")) {
            formats.put(f, group(scored, r -> f.equals(r.format())));
        }
        j.put("by_answer_format", formats);
        Map<String, Object> sources = new LinkedHashMap<>();
        scored.stream().flatMap(r -> r.evidenceSources().stream()).distinct().forEach(s ->
                sources.put(s, group(scored, r -> r.evidenceSources().contains(s))));
        j.put("by_evidence_source", sources);
        Map<String, Object> types = new LinkedHashMap<>();
        scored.stream().map(r -> r.docType() == null ? "" : r.docType()).distinct().forEach(t ->
                types.put(t, group(scored, r -> t.equals(r.docType() == null ? "" : r.docType()))));
        j.put("by_document_type", types);
        Map<String, Object> buckets = new LinkedHashMap<>();
        for (String b : List.of("1-10", "11-50", "51-100", "101-200", ">200", "unknown")) {
            Map<String, Object> g = group(scored, r -> bucket(r.docPages()).equals(b));
            if ((int) g.get("questions") > 0) {
                buckets.put(b, g);
            }
        }
        j.put("by_page_count", buckets);
        // hallucination figures
        List<EvalRow> unanswerable = scored.stream().filter(r -> MmlbScorer.NOT_ANSWERABLE.equals(r.gold())).toList();
        long falseAnswers = unanswerable.stream().filter(r -> !MmlbScorer.NOT_ANSWERABLE.equals(r.pred())).count();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("false_answer_rate", unanswerable.isEmpty() ? null : (double) falseAnswers / unanswerable.size());
        h.put("false_answers", falseAnswers);
        h.put("unanswerable_questions", unanswerable.size());
        long checked = scored.stream().filter(r -> "GROUNDED".equals(r.grounding()) || "UNGROUNDED".equals(r.grounding())
                || "NO_EVIDENCE".equals(r.grounding())).count();
        long ungrounded = scored.stream().filter(r -> "UNGROUNDED".equals(r.grounding()) || "NO_EVIDENCE".equals(r.grounding())).count();
        h.put("ungrounded_rate", checked == 0 ? null : (double) ungrounded / checked);
        h.put("ungrounded_answers", ungrounded);
        h.put("grounding_checked", checked);
        j.put("hallucination", h);
    }

    private static void anls(Map<String, Object> j, List<EvalRow> scored, Bootstrap bootstrap) {
        Bootstrap.Interval a = bootstrap.interval(scored.size(), idx -> mean(pick(scored, idx)));
        j.put("anls", interval(a));
        j.put("accuracy", interval(a)); // the figure the command prints for every benchmark
    }

    static String bucket(Integer pages) {
        if (pages == null || pages <= 0) {
            return "unknown";
        }
        return pages <= 10 ? "1-10" : pages <= 50 ? "11-50" : pages <= 100 ? "51-100" : pages <= 200 ? "101-200" : ">200";
    }

    static MmlbAggregate aggregate(List<EvalRow> rows) {
        return MmlbAggregate.of(rows.stream().map(r -> new MmlbAggregate.Item(r.gold(), r.pred() == null ? "" : r.pred(),
                r.score())).toList());
    }

    private static double mean(List<EvalRow> rows) {
        double s = 0;
        for (EvalRow r : rows) {
            s += r.score();
        }
        return rows.isEmpty() ? 0 : s / rows.size();
    }

    static List<EvalRow> pick(List<EvalRow> rows, int[] idx) {
        List<EvalRow> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(rows.get(i));
        }
        return out;
    }

    private static Map<String, Object> group(List<EvalRow> scored, Predicate<EvalRow> p) {
        List<EvalRow> g = scored.stream().filter(p).toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("questions", g.size());
        m.put("accuracy", g.isEmpty() ? null : aggregate(g).accuracy());
        return m;
    }

    private static Map<String, Object> interval(Bootstrap.Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", i.estimate());
        m.put("ci95", List.of(i.low(), i.high()));
        return m;
    }

    private static Map<String, Object> item(EvalRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", r.key());
        m.put("doc_id", r.docId());
        m.put("question", r.question());
        m.put("format", r.format());
        m.put("gold", r.gold());
        m.put("pred", r.pred());
        m.put("score", r.score());
        m.put("status", r.status());
        if (r.note() != null) {
            m.put("note", r.note());
        }
        if (r.grounding() != null) {
            m.put("grounding", r.grounding());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    public double accuracy() {
        return ((Number) ((Map<String, Object>) json.get("accuracy")).get("value")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    public Double f1() {
        Object f = json.get("f1");
        return f == null ? null : ((Number) ((Map<String, Object>) f).get("value")).doubleValue();
    }

    public int scored() {
        return ((Number) counts().get("scored")).intValue();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> counts() {
        return (Map<String, Object>) json.get("counts");
    }

    /** The line every scoring command ends with. */
    public String summaryLine() {
        String f1 = f1() == null ? "" : String.format(Locale.ROOT, " f1 %.4f", f1());
        String metric = "mmlongbench".equals(json.get("benchmark")) ? "accuracy" : "anls";
        return String.format(Locale.ROOT, "%s %.4f%s (%d questions)", metric, accuracy(), f1, scored());
    }

    public String html() {
        return ReportPages.html(this);
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code run-N.json}, {@code run-N.md} and {@code run-N.html} into {@code dir}; returns the paths. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String base = "run-" + json.get("run");
        Path js = dir.resolve(base + ".json");
        Path md = dir.resolve(base + ".md");
        Path html = dir.resolve(base + ".html");
        Files.writeString(js, toJson());
        Files.writeString(md, ReportPages.markdown(this));
        Files.writeString(html, ReportPages.html(this));
        return List.of(js, md, html);
    }

    private static Object readJson(String s) {
        try {
            return s == null ? Map.of() : new ObjectMapper().readValue(s, Object.class);
        } catch (IOException e) {
            return s;
        }
    }

    private static Map<String, String> linked(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
