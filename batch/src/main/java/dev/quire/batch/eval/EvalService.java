package dev.quire.batch.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.eval.score.Anls;
import dev.quire.batch.eval.score.MmlbScorer;
import dev.quire.storage.eval.EvalItem;
import dev.quire.storage.eval.EvalRun;
import dev.quire.vlm.engine.ModelIdentity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation runs in PostgreSQL: create a run with its settings and model identity, store one item per question,
 * score predictions by the benchmark's rules, and build reports and comparisons from the stored rows.
 */
@ApplicationScoped
public class EvalService {
    private static final ObjectMapper JSON = new ObjectMapper();

    public long create(String benchmark, String name, String source, Map<String, Object> settings, ModelIdentity id,
                       List<String> problems) {
        return QuarkusTransaction.requiringNew().call(() -> {
            EvalRun r = new EvalRun();
            r.benchmark = benchmark;
            r.name = name;
            r.source = source;
            r.settings = json(settings);
            r.status = EvalRun.RUNNING;
            if (id != null) {
                r.engine = id.engine();
                r.model = id.name();
                r.modelCheckpoint = id.checkpoint();
                r.device = id.device();
                r.demoModel = id.demo();
            }
            r.problems = new ArrayList<>(problems);
            r.persist();
            return r.id;
        });
    }

    public void recordJobs(long runId, List<Long> jobIds) {
        QuarkusTransaction.requiringNew().run(() -> EvalRun.<EvalRun>findById(runId).extractJobIds = new ArrayList<>(jobIds));
    }

    /** Adds an extraction job to a run as soon as it is submitted (a run killed later still finds it on resume). */
    public void addJob(long runId, long jobId) {
        QuarkusTransaction.requiringNew().run(() -> {
            EvalRun r = EvalRun.findById(runId);
            List<Long> ids = new ArrayList<>(r.extractJobIds);
            if (!ids.contains(jobId)) {
                ids.add(jobId);
            }
            r.extractJobIds = ids;
        });
    }

    /** The run's extraction jobs by name. */
    public Map<String, Long> jobsByName(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Long> out = new HashMap<>();
            for (Long id : EvalRun.<EvalRun>findById(runId).extractJobIds) {
                dev.quire.storage.extract.ExtractJob j = dev.quire.storage.extract.ExtractJob.findById(id);
                if (j != null) {
                    out.put(j.name, j.id);
                }
            }
            return out;
        });
    }

    /** Item keys already stored for a run. */
    public java.util.Set<String> storedKeys(long runId) {
        return new java.util.HashSet<>(QuarkusTransaction.requiringNew().call(() -> EvalItem.getEntityManager()
                .createQuery("select i.itemKey from EvalItem i where i.runId = ?1", String.class)
                .setParameter(1, runId).getResultList()));
    }

    /** Marks a run FAILED (the reason is logged and printed by the command); {@code --resume} continues it. */
    public void fail(long runId, String reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            EvalRun r = EvalRun.findById(runId);
            org.jboss.logging.Logger.getLogger(EvalService.class).warnf("evaluation run %d failed: %s", runId, reason);
            if (r != null && !EvalRun.COMPLETED.equals(r.status)) {
                r.status = EvalRun.FAILED;
                r.finishedAt = OffsetDateTime.now();
            }
        });
    }

    /**
     * The run to resume, checked against what the command was given: same benchmark and source file, not completed.
     * Its stored settings are the ones the continuation uses.
     */
    public EvalRun resumable(long runId, String benchmark, Path source) {
        EvalRun r = run(runId);
        if (!r.benchmark.equals(benchmark)) {
            throw new IllegalArgumentException("run " + runId + " is a " + r.benchmark + " run, not " + benchmark);
        }
        if (!r.source.equals(source.toString())) {
            throw new IllegalArgumentException("run " + runId + " was made from " + r.source + ", not " + source);
        }
        if (EvalRun.COMPLETED.equals(r.status)) {
            throw new IllegalArgumentException("run " + runId + " is already complete (quire eval report " + runId + ")");
        }
        if (r.extractJobIds.isEmpty() && r.engine != null && r.engine.equals("predictions-file")) {
            throw new IllegalArgumentException("run " + runId + " scored a predictions file; score it again instead");
        }
        return r;
    }

    /** Marks a resumed run RUNNING again. */
    public void reopen(long runId) {
        QuarkusTransaction.requiringNew().run(() -> {
            EvalRun r = EvalRun.findById(runId);
            r.status = EvalRun.RUNNING;
            r.finishedAt = null;
        });
    }

    /** A run's stored settings as a map. */
    public Map<String, Object> settings(long runId) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(run(runId).settings, Map.class);
            return m;
        } catch (IOException e) {
            throw new IllegalStateException("run " + runId + ": stored settings cannot be read: " + e.getMessage(), e);
        }
    }

    /** Stores items (idempotent per run and key: an item already stored is left as it is). */
    public void store(long runId, List<EvalItem> items) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (EvalItem i : items) {
                if (EvalItem.count("runId = ?1 and itemKey = ?2", runId, i.itemKey) == 0) {
                    i.runId = runId;
                    i.persist();
                }
            }
        });
    }

    /** Marks the run finished and keeps its headline figures (recomputable from its items). */
    public EvalReport finish(long runId) {
        EvalReport report = report(runId);
        QuarkusTransaction.requiringNew().run(() -> {
            EvalRun r = EvalRun.findById(runId);
            r.status = EvalRun.COMPLETED;
            r.finishedAt = OffsetDateTime.now();
            r.questions = ((Number) report.counts().get("questions")).intValue();
            r.scored = report.scored();
            r.accuracy = report.accuracy();
            r.f1 = report.f1();
        });
        return report(runId);
    }

    public EvalRun run(long runId) {
        EvalRun r = QuarkusTransaction.requiringNew().call(() -> EvalRun.<EvalRun>findById(runId));
        if (r == null) {
            throw new IllegalArgumentException("no evaluation run " + runId);
        }
        return r;
    }

    public List<EvalRun> runs() {
        return QuarkusTransaction.requiringNew().call(() -> EvalRun.<EvalRun>listAll(io.quarkus.panache.common.Sort.by("id")));
    }

    public List<EvalRow> rows(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> EvalItem.<EvalItem>list("runId = ?1 order by id", runId)
                .stream().map(EvalService::row).toList());
    }

    public EvalReport report(long runId) {
        EvalRun r = run(runId);
        Bootstrap b = bootstrap(r.settings);
        return EvalReport.of(new EvalReport.Run(r.id, r.benchmark, r.name, r.source, r.settings, r.engine, r.model,
                r.modelCheckpoint, r.device, r.demoModel, r.problems, String.valueOf(r.createdAt),
                String.valueOf(r.finishedAt)), rows(runId), b);
    }

    /** The report of a run, or null when there is no such run. */
    public EvalReport reportOrNull(long runId) {
        Boolean exists = QuarkusTransaction.requiringNew().call(() -> EvalRun.findById(runId) != null);
        return exists ? report(runId) : null;
    }

    public RunComparison compare(long a, long b) {
        EvalRun ra = run(a);
        EvalRun rb = run(b);
        if (!ra.benchmark.equals(rb.benchmark)) {
            throw new IllegalArgumentException("run " + a + " is " + ra.benchmark + " and run " + b + " is " + rb.benchmark
                    + ": only runs of one benchmark compare");
        }
        return RunComparison.of(a, rows(a), b, rows(b), ra.benchmark.equals("mmlongbench"), bootstrap(ra.settings));
    }

    private static Bootstrap bootstrap(String settings) {
        try {
            JsonNode s = JSON.readTree(settings);
            return new Bootstrap(s.path("bootstrap_rounds").asInt(Bootstrap.DEFAULT.rounds()),
                    s.path("bootstrap_seed").asLong(Bootstrap.DEFAULT.seed()));
        } catch (IOException e) {
            return Bootstrap.DEFAULT;
        }
    }

    private static EvalRow row(EvalItem i) {
        String gold;
        try {
            JsonNode g = JSON.readTree(i.gold);
            gold = g.isTextual() ? g.asText() : g.toString();
        } catch (IOException e) {
            gold = i.gold;
        }
        return new EvalRow(i.itemKey, i.docId, i.docType, i.docPages, i.question, i.answerFormat, gold,
                i.evidencePages == null ? List.of() : i.evidencePages,
                i.evidenceSources == null ? List.of() : i.evidenceSources, i.status, i.pred, i.score, i.note, i.grounding);
    }

    /** An item for one MMLongBench-Doc sample, not scored yet. */
    public static EvalItem item(MmlbSamples.Sample s, MmlbSamples.Doc doc) {
        EvalItem i = new EvalItem();
        i.itemKey = String.valueOf(s.index());
        i.docId = s.docId();
        i.docType = s.docType();
        i.docPages = doc == null || !doc.usable() ? null : doc.pages();
        i.question = s.question();
        i.answerFormat = s.answerFormat();
        i.gold = json(s.answer());
        i.evidencePages = new ArrayList<>(s.evidencePages());
        i.evidenceSources = new ArrayList<>(s.evidenceSources());
        if (doc != null && !doc.usable()) {
            i.status = EvalItem.MISSING_DOC;
            i.note = doc.problem();
        }
        return i;
    }

    /** Scores an item's prediction by MMLongBench-Doc's rules. */
    public static void scoreMmlb(EvalItem i, MmlbSamples.Sample s, String pred) {
        i.pred = pred;
        MmlbScorer.Score sc = MmlbScorer.score(s.answer(), pred, s.answerFormat());
        i.score = sc.value();
        i.note = sc.note();
        i.status = EvalItem.SCORED;
    }

    /**
     * Reads a predictions file: one JSON object a line with {@code doc_id}, {@code question}, {@code pred} (MMLongBench-Doc)
     * or {@code questionId}, {@code pred} (DocVQA). Bad lines are listed in {@code problems} with their line number.
     */
    public static Map<String, String> predictions(Path file, boolean docvqa, List<String> problems) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode o = JSON.readTree(line);
                    JsonNode pred = o.get("pred");
                    String key = docvqa ? text(o, "questionId") : text(o, "doc_id") + "\u0000" + text(o, "question");
                    if (key == null || key.startsWith("null") || pred == null) {
                        problems.add(file.getFileName() + " line " + n + ": needs " + (docvqa ? "questionId" : "doc_id, question")
                                + " and pred (left out)");
                        continue;
                    }
                    out.put(key, pred.isTextual() ? pred.asText() : pred.toString());
                } catch (JsonProcessingException e) {
                    problems.add(file.getFileName() + " line " + n + ": not JSON: " + e.getOriginalMessage() + " (left out)");
                }
            }
        }
        return out;
    }

    private static String text(JsonNode o, String f) {
        JsonNode v = o.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Scores an MMLongBench-Doc predictions file into a new run. */
    public long scoreMmlbPredictions(MmlbSamples.Loaded loaded, Path predictionsFile, Map<String, Object> settings)
            throws IOException {
        List<String> problems = new ArrayList<>(loaded.problems());
        Map<String, String> preds = predictions(predictionsFile, false, problems);
        long run = create("mmlongbench", "predictions " + predictionsFile.getFileName(), loaded.file().toString(), settings,
                new ModelIdentity("predictions-file", predictionsFile.getFileName().toString(), null, false, "none", "none"), problems);
        List<EvalItem> items = new ArrayList<>();
        for (MmlbSamples.Sample s : loaded.samples()) {
            EvalItem i = item(s, loaded.docs().get(s.docId()));
            if (i.status == null) {
                String p = preds.get(s.key());
                if (p == null) {
                    i.status = EvalItem.NO_PREDICTION;
                } else {
                    scoreMmlb(i, s, p);
                }
            }
            items.add(i);
        }
        store(run, items);
        finish(run);
        return run;
    }

    /** Scores a DocVQA-style predictions file into a new run. */
    public long scoreDocVqaPredictions(DocVqaQuestions.Loaded loaded, Path predictionsFile, Map<String, Object> settings)
            throws IOException {
        List<String> problems = new ArrayList<>(loaded.problems());
        Map<String, String> preds = predictions(predictionsFile, true, problems);
        long run = create("docvqa", "predictions " + predictionsFile.getFileName(), loaded.file().toString(), settings,
                new ModelIdentity("predictions-file", predictionsFile.getFileName().toString(), null, false, "none", "none"), problems);
        List<EvalItem> items = new ArrayList<>();
        for (DocVqaQuestions.Question q : loaded.questions()) {
            EvalItem i = docvqaItem(q);
            String p = preds.get(q.questionId());
            if (p == null) {
                i.status = EvalItem.NO_PREDICTION;
            } else {
                scoreAnls(i, q, p);
            }
            items.add(i);
        }
        store(run, items);
        finish(run);
        return run;
    }

    public static EvalItem docvqaItem(DocVqaQuestions.Question q) {
        EvalItem i = new EvalItem();
        i.itemKey = q.questionId();
        i.docId = q.image();
        i.question = q.question();
        i.gold = json(q.answers());
        return i;
    }

    public static void scoreAnls(EvalItem i, DocVqaQuestions.Question q, String pred) {
        i.pred = pred;
        i.score = Anls.score(q.answers(), pred);
        i.status = EvalItem.SCORED;
        if (q.answers().isEmpty()) {
            i.note = "no gold answers";
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
