package dev.quire.batch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.eval.synth.SyntheticBenchmark;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.storage.eval.EvalItem;
import dev.quire.storage.eval.EvalRun;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.batch.runtime.BatchStatus;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evaluation runs against real PostgreSQL: the synthetic benchmark (real PDFs the generator writes) scored from a
 * predictions file and run end to end through the demo model; reports and comparisons are computed from the rows.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class EvalRunTest {
    @Inject
    EvalService evals;
    @Inject
    EvalModelRun modelRun;
    @Inject
    IngestService ingest;
    @Inject
    ExtractService extract;
    @Inject
    dev.quire.batch.plan.PlanService planService;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void predictionsFileIsScoredAndCountsMissingDocumentsAndOddCitations() throws Exception {
        Path dir = Files.createTempDirectory("quire-eval");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(dir, 2, 4, 3);
        MmlbSamples.Loaded loaded = MmlbSamples.read(w.samples(), w.docs());
        assertEquals(w.questions(), loaded.samples().size());
        assertEquals(1, loaded.missingDocs());
        assertEquals(1, loaded.citingPageZero());
        assertEquals(1, loaded.citingPastEnd());
        // predictions: gold for every answerable question of document 1, "Not answerable" for the rest, one absent
        Path preds = dir.resolve("preds.jsonl");
        List<String> lines = new ArrayList<>();
        int expectedScored = 0;
        double sum = 0;
        for (MmlbSamples.Sample s : loaded.samples()) {
            if (s.docId().equals("absent-report.pdf")) {
                continue;
            }
            if (s.index() == 0) {
                continue; // no prediction for the first question
            }
            String pred = s.docId().endsWith("01.pdf") ? s.answer() : "Not answerable";
            lines.add(JSON.writeValueAsString(Map.of("doc_id", s.docId(), "question", s.question(), "pred", pred)));
            expectedScored++;
            sum += pred.equals(s.answer()) ? 1 : 0;
        }
        lines.add("{not json");
        Files.write(preds, lines);
        long run = evals.scoreMmlbPredictions(loaded, preds, Map.of("mode", "predictions-file"));
        EvalReport r = evals.report(run);
        assertEquals(expectedScored, r.scored());
        assertEquals(sum / expectedScored, r.accuracy(), 1e-12);
        assertEquals(1L, r.counts().get("missing_document"));
        assertEquals(1L, r.counts().get("no_prediction"));
        assertEquals(1L, r.counts().get("citing_page_0"));
        assertEquals(1L, r.counts().get("citing_past_end"));
        assertEquals(1, r.counts().get("records_left_out"), "the bad predictions line is listed");
        @SuppressWarnings("unchecked")
        List<Double> ci = (List<Double>) ((Map<String, Object>) r.json().get("accuracy")).get("ci95");
        assertTrue(ci.get(0) <= r.accuracy() && r.accuracy() <= ci.get(1), ci.toString());
        assertTrue(ci.get(1) - ci.get(0) > 0, "a real interval");
        EvalRun stored = evals.run(run);
        assertEquals(r.accuracy(), stored.accuracy, 0.0);
        assertEquals(r.f1(), stored.f1, 0.0);

        // a second "system": everything right → compare lists the changed items and a positive paired difference
        Path better = dir.resolve("better.jsonl");
        List<String> all = new ArrayList<>();
        for (MmlbSamples.Sample s : loaded.samples()) {
            all.add(JSON.writeValueAsString(Map.of("doc_id", s.docId(), "question", s.question(), "pred", s.answer())));
        }
        Files.write(better, all);
        long run2 = evals.scoreMmlbPredictions(loaded, better, Map.of("mode", "predictions-file"));
        assertEquals(1.0, evals.report(run2).accuracy(), 0.0);
        RunComparison c = evals.compare(run, run2);
        assertEquals(expectedScored, c.paired());
        long changed = expectedScored - Math.round(sum);
        assertEquals(changed, c.changes().size());
        assertTrue(c.accuracyDiff().estimate() > 0 && c.accuracyDiff().low() > 0, c.text());
        assertTrue(c.text().endsWith(String.format(java.util.Locale.ROOT, "95%% CI [%+.4f, %+.4f]",
                c.accuracyDiff().low(), c.accuracyDiff().high())));

        List<Path> files = evals.report(run).write(dir.resolve("reports"));
        String html = Files.readString(files.get(2));
        assertTrue(html.contains("<svg"), "charts");
        JsonNode json = JSON.readTree(files.get(0).toFile());
        assertEquals(r.accuracy(), json.at("/accuracy/value").asDouble(), 0.0);
    }

    @Test
    void docvqaPredictionsAreScoredByAnlsAndPersistedPerQuestion() throws Exception {
        Path dir = Files.createTempDirectory("quire-docvqa");
        Files.writeString(dir.resolve("q.json"), """
                {"data": [
                  {"questionId": 1, "question": "What year?", "image": "documents/a.png", "answers": ["1995"]},
                  {"questionId": 2, "question": "Which city?", "image": "documents/a.png", "answers": ["New York", "NYC"]},
                  {"questionId": 3, "question": "Total?", "image": "documents/b.png", "answers": ["abcd"]},
                  {"question": "no id"}
                ]}""");
        Files.writeString(dir.resolve("p.jsonl"), """
                {"questionId": "1", "pred": "1995"}
                {"questionId": "2", "pred": "nyc"}
                {"questionId": "3", "pred": "abxy"}
                """);
        DocVqaQuestions.Loaded loaded = DocVqaQuestions.read(dir.resolve("q.json"), dir);
        assertEquals(3, loaded.questions().size());
        assertEquals(1, loaded.problems().size());
        long run = evals.scoreDocVqaPredictions(loaded, dir.resolve("p.jsonl"), Map.of("mode", "predictions-file"));
        EvalReport r = evals.report(run);
        assertEquals((1.0 + 1.0 + 0.5) / 3, r.accuracy(), 1e-15);
        List<EvalItem> items = QuarkusTransaction.requiringNew().call(() -> EvalItem.<EvalItem>list("runId", run));
        assertEquals(3, items.size());
        assertEquals(List.of("New York", "NYC"), JSON.readValue(items.stream().filter(i -> i.itemKey.equals("2"))
                .findFirst().orElseThrow().gold, List.class));
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void syntheticBenchmarkRunsEndToEndThroughTheDemoModelInBothModes() throws Exception {
        Path dir = Files.createTempDirectory("quire-eval-e2e");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(dir, 1, 3, 11);
        MmlbSamples.Loaded loaded = MmlbSamples.read(w.samples(), w.docs());
        useJobsToEnd();
        for (boolean twoStep : new boolean[] {true, false}) {
            long run = modelRun.mmlongbench(loaded, Map.of("mode", twoStep ? "two-step" : "direct", "dpi", 144,
                    "max_pages", 120), twoStep);
            EvalRun stored = evals.run(run);
            assertTrue(stored.demoModel, "the demo model answered");
            assertEquals(EvalRun.COMPLETED, stored.status);
            assertFalse(stored.extractJobIds.isEmpty());
            EvalReport r = evals.report(run);
            assertNotNull(r.json().get("notice"));
            assertEquals(loaded.samples().size(), ((Number) r.counts().get("questions")).intValue());
            assertEquals(1L, r.counts().get("missing_document"));
            assertEquals(loaded.samples().size() - 1, r.scored(), "every question of a present document is scored");
            List<EvalItem> items = QuarkusTransaction.requiringNew().call(() -> EvalItem.<EvalItem>list("runId = ?1 and status = 'SCORED'", run));
            for (EvalItem i : items) {
                assertNotNull(i.rawOutput, "raw output kept");
                assertNotNull(i.answerId, "linked to the extraction answer");
                if (twoStep) {
                    assertTrue(i.rawOutput.contains("---- extraction ----"), "the extraction call's reply is kept");
                }
            }
            List<Path> files = r.write(dir.resolve("reports"));
            assertTrue(Files.readString(files.get(2)).contains("DEMO MODEL"));
        }
    }

    /** Runs every job to its end in this process, as the CLI does (without the progress bar). */
    private void useJobsToEnd() {
        modelRun.use(files -> IngestRuns.runToEnd(ingest, files).runId(), (jobs, completed) -> {
            boolean ok = true;
            for (long j : jobs) {
                boolean done = extract.await(extract.start(j), null) == BatchStatus.COMPLETED;
                if (done) {
                    completed.accept(j);
                }
                ok &= done;
            }
            return ok;
        });
    }

    /**
     * The protocol's page settings are applied in a model run: with a cap of 2 pages on 4-page documents, no plan of
     * the run shows page 3 or 4 (they are skipped with the reason), the pages shown are the 144-dpi renders, and the
     * report says what the cap left out.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void modelRunShowsOnlyTheCappedPagesRenderedAtTheRunsDpi() throws Exception {
        Path dir = Files.createTempDirectory("quire-eval-cap");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(dir, 1, 4, 5);
        MmlbSamples.Loaded all = MmlbSamples.read(w.samples(), w.docs());
        List<MmlbSamples.Sample> present = all.samples().stream().filter(s -> s.docId().endsWith("01.pdf")).limit(3).toList();
        MmlbSamples.Loaded loaded = new MmlbSamples.Loaded(all.file(), present, List.of(), all.docs());
        useJobsToEnd();
        long run = modelRun.mmlongbench(loaded, Map.of("mode", "direct", "dpi", 144, "max_pages", 2), false);
        EvalRun stored = evals.run(run);
        assertEquals(EvalRun.COMPLETED, stored.status);
        List<dev.quire.storage.plan.PromptPlanRecord> plans = QuarkusTransaction.requiringNew().call(() -> {
            List<Long> docs = dev.quire.storage.extract.Answer.<dev.quire.storage.extract.Answer>list("jobId in ?1",
                    stored.extractJobIds).stream().map(a -> a.planId).filter(java.util.Objects::nonNull).toList();
            return dev.quire.storage.plan.PromptPlanRecord.<dev.quire.storage.plan.PromptPlanRecord>list("id in ?1", docs);
        });
        assertEquals(present.size(), plans.size(), "one plan per question");
        for (var rec : plans) {
            dev.quire.layout.plan.PromptPlan plan = planService.read(rec);
            assertTrue(plan.skipped().contains(new dev.quire.layout.plan.PromptPlan.Skipped(3,
                    "beyond the page cap: only the first 2 pages are used")), plan.skipped().toString());
            assertTrue(plan.skipped().stream().anyMatch(sk -> sk.page() == 4));
            for (var p : plan.prompts()) {
                for (var i : p.items()) {
                    if (i.kind() == dev.quire.layout.plan.PromptPlan.Kind.PAGE) {
                        assertTrue(i.page() <= 2, "page " + i.page() + " shown past the cap");
                    }
                }
            }
        }
        long docId = QuarkusTransaction.requiringNew().call(() -> dev.quire.storage.extract.Answer
                .<dev.quire.storage.extract.Answer>list("jobId in ?1", stored.extractJobIds).getFirst().documentId);
        List<dev.quire.storage.document.PageRender> renders = QuarkusTransaction.requiringNew().call(() ->
                dev.quire.storage.document.PageRender.of(docId, 144f));
        assertEquals(2, renders.size(), "pages 1 and 2 rendered at 144 dpi, pages past the cap not at all");
        for (var r : renders) {
            assertEquals(1224, r.widthPx);
            assertEquals(1584, r.heightPx);
        }
        EvalReport r = evals.report(run);
        assertEquals(1L, r.counts().get("documents_over_page_cap"));
        assertEquals((long) present.size(), r.counts().get("questions_on_capped_documents"));
        assertTrue(String.valueOf(r.json().get("page_cap")).startsWith("page cap 2: 1 document has more than 2 pages: "
                + "only their first 2 pages were in the prompts"), String.valueOf(r.json().get("page_cap")));
        assertTrue(ReportPages.markdown(r).contains("page cap 2: 1 document has more than 2 pages"));
    }

    /**
     * A run killed after its first document's job resumes where it stopped: the scored items of that document are
     * kept as they were (same rows, its job is not run again, no answer is asked twice), the second document's job
     * runs, and the report at the end covers every question.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aKilledRunResumesWithoutRedoingScoredItems() throws Exception {
        Path dir = Files.createTempDirectory("quire-eval-resume");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(dir, 2, 3, 17);
        MmlbSamples.Loaded all = MmlbSamples.read(w.samples(), w.docs());
        List<MmlbSamples.Sample> some = new ArrayList<>();
        for (String doc : List.of("synthetic-report-01.pdf", "synthetic-report-02.pdf")) {
            all.samples().stream().filter(s -> s.docId().equals(doc)).limit(2).forEach(some::add);
        }
        MmlbSamples.Loaded loaded = new MmlbSamples.Loaded(all.file(), some, List.of(), all.docs());
        Map<String, Object> settings = Map.of("mode", "direct", "dpi", "native", "max_pages", 120);
        List<Long> ranFirst = new ArrayList<>();
        modelRun.use(files -> IngestRuns.runToEnd(ingest, files).runId(), (jobs, completed) -> {
            long first = jobs.getFirst();
            ranFirst.add(first);
            assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(first), null));
            completed.accept(first);
            throw new InterruptedException("killed after the first document's job"); // the process dies here
        });
        assertThrows(InterruptedException.class, () -> modelRun.mmlongbench(loaded, settings, false));
        EvalRun failed = QuarkusTransaction.requiringNew().call(() -> EvalRun.<EvalRun>find("order by id desc").firstResult());
        long run = failed.id;
        assertEquals(EvalRun.FAILED, failed.status);
        assertEquals(2, failed.extractJobIds.size(), "both jobs were submitted and recorded before the kill");
        Map<String, Long> before = itemIds(run);
        assertEquals(2, before.size(), "the first document's two questions were scored before the kill");
        long answersOfFirst = answers(ranFirst.getFirst());

        List<Long> ranOnResume = new ArrayList<>();
        modelRun.use(files -> IngestRuns.runToEnd(ingest, files).runId(), (jobs, completed) -> {
            ranOnResume.addAll(jobs);
            for (long j : jobs) {
                assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(j), null));
                completed.accept(j);
            }
            return true;
        });
        assertEquals(run, modelRun.mmlongbench(loaded, evals.settings(run), false, run));
        assertFalse(ranOnResume.contains(ranFirst.getFirst()), "the finished document's job is not run again");
        assertEquals(List.of(failed.extractJobIds.get(1)), ranOnResume, "the second document's recorded job continues");
        assertEquals(answersOfFirst, answers(ranFirst.getFirst()), "no question of the first document asked again");
        assertEquals(2, answers(failed.extractJobIds.get(1)));
        Map<String, Long> after = itemIds(run);
        assertEquals(4, after.size());
        before.forEach((k, id) -> assertEquals(id, after.get(k), "item " + k + " kept as scored before the kill"));
        EvalRun done = evals.run(run);
        assertEquals(EvalRun.COMPLETED, done.status);
        EvalReport r = evals.report(run);
        assertEquals(4, r.scored(), "the report covers every question");
        assertEquals(4, ((Number) r.counts().get("questions")).intValue());
        assertEquals(0L, r.counts().get("no_prediction"));
        // a completed run is not resumed
        assertThrows(IllegalArgumentException.class, () -> evals.resumable(run, "mmlongbench", loaded.file()));
    }

    private static Map<String, Long> itemIds(long run) {
        return QuarkusTransaction.requiringNew().call(() -> EvalItem.<EvalItem>list("runId", run).stream()
                .collect(java.util.stream.Collectors.toMap(i -> i.itemKey, i -> i.id)));
    }

    private static long answers(long job) {
        return QuarkusTransaction.requiringNew().call(() -> dev.quire.storage.extract.Answer.count("jobId", job));
    }
}
