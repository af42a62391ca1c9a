package dev.quire.batch.eval;

import dev.quire.batch.engine.Engines;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.plan.PageSelection;
import dev.quire.batch.plan.PlanService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.batch.eval.score.MmlbScorer;
import dev.quire.layout.text.Grounding;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.WordBox;
import dev.quire.storage.eval.EvalItem;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import dev.quire.storage.ingest.SourceFile;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerateResult;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.engine.PromptPart;
import dev.quire.vlm.engine.VlmEngine;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Evaluation through the configured engine, on the extraction machinery: the benchmark's documents are ingested
 * like any others, each document's questions become one extraction job (restartable JBeret job, work items,
 * answers with evidence, plans, model identity and timings), and once they are done every answer is turned into
 * the benchmark's prediction — in {@code two-step} mode by a second engine call with the extraction prompt (the
 * official flow: free answer → {@code Extracted answer: … / Answer format: …}), in {@code direct} mode by asking for
 * that format in the question — scored, grounding-checked against its cited pages, and stored as the run's items.
 */
@ApplicationScoped
public class EvalModelRun {
    /** Our extraction prompt (own wording), answering in the official output format. */
    public static final String EXTRACTION_PROMPT = """
            Below are a question about a document and an assistant's free-form answer to it. Take the final answer out \
            of the assistant's answer without changing it. Write it as an Integer, a Float, a String, or a List (a \
            Python list such as ['a', 'b']). If the assistant's answer says the question cannot be answered from the \
            document, the extracted answer is Not answerable. If it says only that it could not read the document, \
            the extracted answer is Fail to answer. Reply with exactly these two lines and nothing else:
            Extracted answer: <the answer>
            Answer format: <Integer, Float, String, List or None>

            Question: %s
            Assistant's answer: %s""";

    /** Appended to the question in direct mode. */
    public static final String DIRECT_SUFFIX = """

            Finish your reply with exactly these two lines: "Extracted answer: <the answer>" (an Integer, a Float, a \
            String, or a Python list such as ['a', 'b']; "Not answerable" when the document does not say) and \
            "Answer format: <Integer, Float, String, List or None>".""";

    public static final String FAILED_TO_EXTRACT = "Failed to extract";

    private final EvalService evals;
    private final ExtractService extract;
    private final Engines engines;
    private final PlanService plans;
    private final Grounding grounding = new Grounding();

    public EvalModelRun(EvalService evals, ExtractService extract, Engines engines, PlanService plans) {
        this.evals = evals;
        this.extract = extract;
        this.engines = engines;
        this.plans = plans;
    }

    /** Runs the extraction jobs of a run; the CLI passes one that shows progress. */
    public interface JobRunner {
        /**
         * Runs the jobs one after the other, calling {@code completed} with each job that ends COMPLETED (its answers
         * are then scored and stored at once, so a run killed later keeps them); true when every job completed.
         */
        boolean run(List<Long> jobIds, LongConsumer completed) throws InterruptedException;
    }

    /** Ingests the documents of a run and returns the ingest run id (the CLI passes one with a progress bar). */
    public interface Ingester {
        long ingest(List<String> files) throws InterruptedException;
    }

    private Ingester ingester;
    private JobRunner runner;

    public void use(Ingester ingester, JobRunner runner) {
        this.ingester = ingester;
        this.runner = runner;
    }

    /** The protocol's page settings recorded in a run's settings ({@code dpi}: a number or "native"; {@code max_pages}: 0 = all). */
    public static PageSelection selection(Map<String, ?> settings) {
        Object dpi = settings.get("dpi");
        Object cap = settings.get("max_pages");
        Double d = dpi instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : null;
        Integer c = cap instanceof Number n && n.intValue() > 0 ? n.intValue() : null;
        return new PageSelection(d, c);
    }

    /**
     * The settings recorded with a model run: the protocol's, plus the system turn every call of the run had (the
     * answering calls and the extraction call both pass the planner settings' system text, which is none unless
     * configured, so the chat template adds its default; no eval prompt carries system text of its own).
     */
    private Map<String, Object> recorded(Map<String, Object> settings) {
        Map<String, Object> s = new LinkedHashMap<>(settings);
        String system = plans.settings().system();
        s.putIfAbsent("system", system == null ? "chat template default: " + dev.quire.vlm.tokenizer.ChatPrompt.DEFAULT_SYSTEM
                : system);
        return s;
    }

    public long mmlongbench(MmlbSamples.Loaded loaded, Map<String, Object> settings, boolean twoStep) throws Exception {
        return mmlongbench(loaded, settings, twoStep, null);
    }

    /**
     * An MMLongBench-Doc model run, or the continuation of one ({@code resume}: a run that was killed or failed;
     * its settings are the stored ones, questions already scored are neither asked nor scored again, extraction jobs
     * already made are reused and continue where they stopped).
     */
    public long mmlongbench(MmlbSamples.Loaded loaded, Map<String, Object> settings, boolean twoStep, Long resume)
            throws Exception {
        PageSelection pages = selection(settings);
        QuestionSet.Planning planning = pages.isDefault() ? null
                : new QuestionSet.Planning(null, null, null, null, pages.dpi(), pages.maxPages());
        List<String> files = loaded.docs().values().stream().filter(MmlbSamples.Doc::usable).map(d -> d.pdf().toString()).toList();
        Map<String, Long> documentIds = ingestAll(files);
        VlmEngine engine = engines.engine();
        long run = openRun("mmlongbench", loaded.file(), settings, engine, loaded.problems(), resume);
        try {
            Set<String> stored = evals.storedKeys(run);
            Map<String, List<MmlbSamples.Sample>> byDoc = new LinkedHashMap<>();
            List<EvalItem> unusable = new ArrayList<>();
            for (MmlbSamples.Sample s : loaded.samples()) {
                if (stored.contains(String.valueOf(s.index()))) {
                    continue;
                }
                MmlbSamples.Doc doc = loaded.docs().get(s.docId());
                Long id = doc == null || !doc.usable() ? null : documentIds.get(doc.pdf().getFileName().toString());
                if (id == null) {
                    EvalItem i = EvalService.item(s, doc);
                    i.status = EvalItem.MISSING_DOC;
                    if (i.note == null) {
                        i.note = "document " + s.docId() + " was not stored by the ingest (see quire status)";
                    }
                    unusable.add(i);
                } else {
                    byDoc.computeIfAbsent(s.docId(), k -> new ArrayList<>()).add(s);
                }
            }
            evals.store(run, unusable);
            Map<String, Long> earlier = evals.jobsByName(run);
            Map<Long, String> jobs = new LinkedHashMap<>();
            for (var e : byDoc.entrySet()) {
                String name = "eval " + run + " " + e.getKey();
                Long job = earlier.get(name);
                if (job == null) {
                    // every question of the document, so a resumed job asks the same set (answered ones are skipped)
                    List<QuestionSet.Question> qs = loaded.samples().stream().filter(s -> s.docId().equals(e.getKey()))
                            .map(s -> new QuestionSet.Question("s" + s.index(),
                                    twoStep ? s.question() : s.question() + DIRECT_SUFFIX)).toList();
                    String docDb = String.valueOf(documentIds.get(loaded.docs().get(e.getKey()).pdf().getFileName().toString()));
                    job = extract.submit(new QuestionSet(name, qs, List.of(), List.of(), planning, null), docDb);
                    evals.addJob(run, job);
                }
                jobs.put(job, e.getKey());
            }
            boolean ok = runner.run(List.copyOf(jobs.keySet()), job -> {
                requireDone(job);
                List<EvalItem> items = new ArrayList<>();
                for (MmlbSamples.Sample s : byDoc.get(jobs.get(job))) {
                    items.add(mmlbItem(engine, job, s, loaded, twoStep));
                }
                evals.store(run, items);
            });
            if (!ok) {
                throw new IllegalStateException("an extraction job of evaluation run " + run + " did not complete; "
                        + "continue it with --resume " + run);
            }
        } catch (Exception | Error e) {
            evals.fail(run, e.getMessage());
            throw e;
        }
        evals.finish(run);
        return run;
    }

    /** One sample's item from its extraction answer: the prediction (extraction call in two-step mode), score, grounding. */
    private EvalItem mmlbItem(VlmEngine engine, long job, MmlbSamples.Sample s, MmlbSamples.Loaded loaded, boolean twoStep) {
        EvalItem i = EvalService.item(s, loaded.docs().get(s.docId()));
        Answer a = answer(job, "s" + s.index());
        if (a == null) {
            i.status = EvalItem.NO_PREDICTION;
            i.note = "the extraction job " + job + " stored no answer";
            return i;
        }
        i.answerId = a.id;
        i.totalMs = a.totalMs;
        i.predEvidence = a.evidencePages;
        String raw = a.rawOutput == null ? "" : a.rawOutput;
        String reply;
        if (a.status == AnswerStatus.FAILED) {
            reply = "";
            i.rawOutput = "FAILED: " + a.reason;
        } else if (twoStep) {
            String free = a.status == AnswerStatus.NOT_ANSWERABLE ? MmlbScorer.NOT_ANSWERABLE
                    : a.answer == null ? raw : a.answer;
            reply = extractionCall(engine, s.question(), free);
            i.rawOutput = raw + "\n---- extraction ----\n" + reply;
        } else {
            reply = raw;
            i.rawOutput = raw;
        }
        String pred = MmlbScorer.extractedAnswer(reply).orElse(FAILED_TO_EXTRACT);
        EvalService.scoreMmlb(i, s, pred);
        if (pred.equals(FAILED_TO_EXTRACT) && i.note == null) {
            i.note = "no 'Extracted answer:' in the reply (the official run stops here)";
        }
        i.grounding = ground(a.documentId, pred, a.evidencePages);
        return i;
    }

    public long docvqa(DocVqaQuestions.Loaded loaded, Map<String, Object> settings) throws Exception {
        return docvqa(loaded, settings, null);
    }

    /** A DocVQA/InfoVQA-style model run, or the continuation of one (as for MMLongBench-Doc). */
    public long docvqa(DocVqaQuestions.Loaded loaded, Map<String, Object> settings, Long resume) throws Exception {
        List<String> files = loaded.questions().stream().filter(q -> java.nio.file.Files.isRegularFile(q.file()))
                .map(q -> q.file().toString()).distinct().toList();
        Map<String, Long> documentIds = ingestAll(files);
        VlmEngine engine = engines.engine();
        long run = openRun("docvqa", loaded.file(), settings, engine, loaded.problems(), resume);
        try {
            Set<String> stored = evals.storedKeys(run);
            Map<Long, List<DocVqaQuestions.Question>> byDoc = new LinkedHashMap<>();
            List<EvalItem> unusable = new ArrayList<>();
            for (DocVqaQuestions.Question q : loaded.questions()) {
                Long id = documentIds.get(q.file().getFileName().toString());
                if (id == null) {
                    if (!stored.contains(q.questionId())) {
                        EvalItem i = EvalService.docvqaItem(q);
                        i.status = EvalItem.MISSING_DOC;
                        i.note = "image " + q.file() + (java.nio.file.Files.isRegularFile(q.file())
                                ? " was not stored by the ingest" : " does not exist");
                        unusable.add(i);
                    }
                } else {
                    byDoc.computeIfAbsent(id, k -> new ArrayList<>()).add(q);
                }
            }
            evals.store(run, unusable);
            Map<String, Long> earlier = evals.jobsByName(run);
            Map<Long, Long> jobs = new LinkedHashMap<>();
            for (var e : byDoc.entrySet()) {
                List<DocVqaQuestions.Question> qs = e.getValue();
                if (qs.stream().allMatch(q -> stored.contains(q.questionId()))) {
                    continue;
                }
                String name = "eval " + run + " doc " + e.getKey();
                Long job = earlier.get(name);
                if (job == null) {
                    List<QuestionSet.Question> asks = new ArrayList<>();
                    for (int k = 0; k < qs.size(); k++) {
                        DocVqaQuestions.Question q = qs.get(k);
                        String where = q.page() > 1 ? " (page " + q.page() + ")" : "";
                        asks.add(new QuestionSet.Question("q" + k, q.question() + where));
                    }
                    job = extract.submit(new QuestionSet(name, asks, List.of(), List.of(), null, null),
                            String.valueOf(e.getKey()));
                    evals.addJob(run, job);
                }
                jobs.put(job, e.getKey());
            }
            boolean ok = runner.run(List.copyOf(jobs.keySet()), job -> {
                requireDone(job);
                List<EvalItem> items = new ArrayList<>();
                List<DocVqaQuestions.Question> qs = byDoc.get(jobs.get(job));
                for (int k = 0; k < qs.size(); k++) {
                    if (stored.contains(qs.get(k).questionId())) {
                        continue;
                    }
                    EvalItem i = EvalService.docvqaItem(qs.get(k));
                    Answer a = answer(job, "q" + k);
                    if (a == null) {
                        i.status = EvalItem.NO_PREDICTION;
                    } else {
                        i.answerId = a.id;
                        i.rawOutput = a.rawOutput;
                        i.totalMs = a.totalMs;
                        EvalService.scoreAnls(i, qs.get(k), a.answer == null ? "" : a.answer);
                    }
                    items.add(i);
                }
                evals.store(run, items);
            });
            if (!ok) {
                throw new IllegalStateException("an extraction job of evaluation run " + run + " did not complete; "
                        + "continue it with --resume " + run);
            }
        } catch (Exception | Error e) {
            evals.fail(run, e.getMessage());
            throw e;
        }
        evals.finish(run);
        return run;
    }

    /**
     * A job is scored only once none of its documents is open: a JBeret execution can complete while another
     * worker (or a killed process, until its lease runs out) still holds a document, whose answers are not in yet.
     */
    private void requireDone(long job) {
        long open = extract.openItems(job);
        if (open > 0) {
            throw new IllegalStateException("extraction job " + job + " still has " + open
                    + " documents in progress; its questions are not scored yet");
        }
    }

    /** A new run of {@code benchmark} over {@code file}, or {@code resume} reopened (its settings stay the stored ones). */
    private long openRun(String benchmark, java.nio.file.Path file, Map<String, Object> settings, VlmEngine engine,
                         List<String> problems, Long resume) {
        if (resume != null) {
            evals.reopen(resume);
            return resume;
        }
        return evals.create(benchmark, benchmark + " " + file.getFileName(), file.toString(), recorded(settings),
                engine.identity(), problems);
    }

    private Map<String, Long> ingestAll(List<String> files) throws InterruptedException {
        Map<String, Long> ids = new HashMap<>();
        if (files.isEmpty()) {
            return ids;
        }
        long ingestRun = ingester.ingest(files);
        QuarkusTransaction.requiringNew().run(() -> {
            for (SourceFile f : SourceFile.<SourceFile>list("runId", ingestRun)) {
                if (f.documentId != null) {
                    ids.put(Path.of(f.path).getFileName().toString(), f.documentId);
                }
            }
        });
        return ids;
    }

    private static Answer answer(long jobId, String key) {
        return QuarkusTransaction.requiringNew().call(() -> Answer.<Answer>find("jobId = ?1 and questionKey = ?2", jobId, key)
                .firstResult());
    }

    private String extractionCall(VlmEngine engine, String question, String answer) {
        try {
            GenerateResult r = engine.generate(new GenerateRequest(plans.settings().system(),
                    List.of(PromptPart.text(EXTRACTION_PROMPT.formatted(question, answer))), GenerationOptions.greedy(256)));
            return r.text();
        } catch (RuntimeException e) {
            return "Failed: " + e.getMessage(); // as the official run's extractor records a failed call
        }
    }

    /** The grounding verdict of a prediction on the pages its answer cited (the platform's one check). */
    private String ground(long documentId, String pred, List<Integer> cited) {
        if (pred.equals(FAILED_TO_EXTRACT) || pred.equals(MmlbScorer.NOT_ANSWERABLE)) {
            return Grounding.Verdict.NOT_CHECKED.name();
        }
        List<Grounding.PageWords> pages = QuarkusTransaction.requiringNew().call(() -> {
            List<Grounding.PageWords> out = new ArrayList<>();
            if (cited == null) {
                return out;
            }
            for (Page p : Page.ofDocument(documentId)) {
                if (cited.contains(p.pageNo) && p.words != null) {
                    out.add(new Grounding.PageWords(p.pageNo, p.words.stream().map(WordBox::t).toList()));
                }
            }
            return out;
        });
        return grounding.check(pred, pages).verdict().name();
    }
}
