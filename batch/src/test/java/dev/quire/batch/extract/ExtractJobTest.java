package dev.quire.batch.extract;

import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.batch.ingest.IngestService;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import dev.quire.storage.extract.ExtractJob;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.storage.ingest.SourceFile;
import dev.quire.storage.extract.WorkItem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.batch.runtime.BatchStatus;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;

/** The extract job end to end with the demo model over real corpus PDFs and real PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class ExtractJobTest {
    @Inject
    IngestService ingest;

    @Inject
    ExtractService extract;

    @Test
    void everyDocumentAndQuestionGetsOneAnswerRowAndReRunsNeverDuplicate() throws Exception {
        Path dir = Files.createTempDirectory("quire-extract");
        // files no other test ingests (shared database): generated ones, and a sample form
        Pdfs.report(dir.resolve("reliance.pdf"), 3, 4101);
        Pdfs.rotated(dir.resolve("ocr_test_rotated_90.pdf"));
        java.nio.file.Files.copy(Samples.file("f1040nr.pdf"), dir.resolve("f1040nr.pdf"));
        try (PDDocument blank = new PDDocument()) {
            blank.addPage(new PDPage(PDRectangle.A4));
            blank.save(dir.resolve("only-blank.pdf").toFile());
        }
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        Map<String, SourceFile> in = IngestRuns.inputsByName(run.runId());
        List<Long> docs = in.values().stream().map(f -> f.documentId).sorted().toList();
        String selection = docs.stream().map(String::valueOf).collect(Collectors.joining(","));

        QuestionSet set = new QuestionSet("test-set",
                List.of(new QuestionSet.Question("topic", "What is this document about?"),
                        new QuestionSet.Question(null, "Who is the author?")),
                List.of(new QuestionSet.Field("page_count", "int", "pages in the document"),
                        new QuestionSet.Field("filed_on", "date", null)),
                List.of(), null, null);
        long job = extract.submit(set, selection);
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(job), null));

        ExtractService.JobProgress p = extract.progress(job);
        assertEquals("COMPLETED", p.status());
        assertEquals(4, p.documents());
        assertEquals(16, p.expected());
        assertEquals(16, p.answered());
        List<Answer> answers = QuarkusTransaction.requiringNew().call(() -> Answer.<Answer>list("jobId", job));
        assertEquals(16, answers.size());
        assertEquals(Set.of("topic", "q2", "page_count", "filed_on"),
                answers.stream().map(a -> a.questionKey).collect(Collectors.toSet()));
        long blankDoc = in.get("only-blank.pdf").documentId;
        // every answer got its review risk in the transaction that stored it: nothing listed the queue (the backfill)
        Map<Long, dev.quire.storage.review.AnswerReview> risks = QuarkusTransaction.requiringNew().call(() ->
                dev.quire.storage.review.AnswerReview.<dev.quire.storage.review.AnswerReview>list("jobId", job).stream()
                        .collect(Collectors.toMap(r -> r.answerId, r -> r)));
        assertEquals(answers.stream().map(a -> a.id).collect(Collectors.toSet()), risks.keySet(),
                "each stored answer has its risk at once");
        for (Answer a : answers) {
            dev.quire.storage.review.AnswerReview r = risks.get(a.id);
            assertEquals(a.status.name(), r.status);
            assertTrue(r.badges.contains("DEMO_MODEL"), r.badges);
            if (a.documentId == blankDoc) {
                assertEquals(AnswerStatus.FAILED, a.status);
                assertTrue(a.reason.startsWith("not plannable: only-blank.pdf: no page can be shown"), a.reason);
                assertNull(a.meanLogprob, "no model call, no log-probs");
                assertTrue(r.badges.contains("FAILED") && r.risk >= 100, r.badges);
                continue;
            }
            // the embedded engine's per-token log-probs, averaged over the reply, and the badge where it is low
            assertNotNull(a.meanLogprob, a.questionKey + " of " + a.documentId);
            assertTrue(a.meanLogprob <= 0 && a.meanLogprob > -50, "a mean log-probability: " + a.meanLogprob);
            assertEquals(a.meanLogprob < -1.0, r.badges.contains("LOW_CONFIDENCE"), a.meanLogprob + ": " + r.badges);
            assertTrue(Set.of(AnswerStatus.ANSWERED, AnswerStatus.NOT_ANSWERABLE, AnswerStatus.PARSE_ERROR).contains(a.status), a.status + " " + a.reason);
            assertNotNull(a.rawOutput);
            assertNotNull(a.planId);
            assertTrue(a.demoModel);
            assertEquals("embedded", a.engine);
            assertEquals(64, a.modelCheckpoint.length());
            assertEquals("bfloat16", a.precision, "auto on CPU is the demo's stored dtype; the compute precision is part of every answer's engine identity");
            assertTrue(a.promptTokens > 0 && a.completionTokens >= 0 && a.calls >= 1, a.promptTokens + " " + a.calls);
            assertTrue(a.prefillMs > 0 && a.totalMs >= a.prefillMs);
            if (a.status == AnswerStatus.PARSE_ERROR) {
                assertNotNull(a.reason, "a value that does not parse keeps its reason");
            }
            if ("page_count".equals(a.questionKey)) {
                assertEquals("int", a.valueType);
            }
            PromptPlanRecord plan = QuarkusTransaction.requiringNew().call(() -> PromptPlanRecord.findById(a.planId));
            assertEquals(a.documentId, plan.documentId);
            assertTrue(plan.peakTokens <= 3000);
        }

        System.out.println("mean token log-probs of the demo model's answers: " + answers.stream()
                .filter(x -> x.meanLogprob != null).mapToDouble(x -> x.meanLogprob).summaryStatistics());

        // What the engine reused: a document's first question encodes its pages and prefills the shared prefix.
        // With a single plan (the same pages for every question) its later questions continue from that prefix (no
        // page encoded, only the question prefilled); with multigranular plans the pages chosen differ by question,
        // but the pages and thumbnails seen before come from the vision cache.
        int singleDocs = 0;
        for (long doc : docs) {
            if (doc == blankDoc) {
                continue;
            }
            List<Answer> asked = answers.stream().filter(a -> a.documentId == doc)
                    .sorted(java.util.Comparator.comparing((Answer a) -> a.id)).toList();
            assertTrue(asked.getFirst().visionCacheMisses > 0, "first question encodes the pages");
            assertEquals(0, asked.getFirst().prefixCacheHits);
            boolean single = asked.stream().allMatch(a -> "single".equals(a.strategy));
            singleDocs += single ? 1 : 0;
            for (Answer later : asked.subList(1, asked.size())) {
                if (single) {
                    assertEquals(later.calls, later.prefixCacheHits, later.questionKey + " continues from the prefix");
                    assertEquals(0, later.visionCacheMisses + later.visionCacheHits, "a reused prefix needs no image");
                    assertTrue(later.prefixCacheTokens > 0 && later.prefixCacheTokens < later.promptTokens);
                } else {
                    assertTrue(later.visionCacheHits > 0 || later.prefixCacheHits > 0,
                            later.questionKey + " (" + later.strategy + ") reuses pages encoded for an earlier question");
                }
            }
        }
        assertTrue(singleDocs >= 1, "at least one document has a single plan");
        ExtractService.Reuse reuse = p.reuse();
        assertEquals(answers.stream().mapToLong(a -> a.calls == null ? 0 : a.calls).sum(), reuse.calls());
        assertEquals(answers.stream().mapToLong(a -> a.prefixCacheHits == null ? 0 : a.prefixCacheHits).sum(),
                reuse.prefixCacheHits());
        assertEquals(answers.stream().mapToLong(a -> a.visionCacheHits == null ? 0 : a.visionCacheHits).sum(),
                reuse.visionCacheHits());
        assertTrue(reuse.prefixCacheHits() >= 3L * singleDocs, reuse.describe());
        assertTrue(reuse.describe().startsWith("vision cache " + reuse.visionCacheHits() + " hits"), reuse.describe());

        // Running the finished job again claims nothing and adds nothing.
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(job), null));
        assertEquals(16L, QuarkusTransaction.requiringNew().call(() -> Answer.count("jobId", job)));

        // A new job over the same documents is a new, comparable result set.
        long again = extract.submit(QuestionSet.single("What is the title?"), selection);
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(again), null));
        assertEquals(4L, QuarkusTransaction.requiringNew().call(() -> Answer.count("jobId", again)));
        for (Answer later : QuarkusTransaction.requiringNew().call(() -> Answer.<Answer>list("jobId", again))) {
            if (later.documentId != blankDoc && "single".equals(later.strategy)) {
                assertEquals(0, later.visionCacheMisses, "a new job over the same pages encodes none of them again");
                assertEquals(1, later.prefixCacheHits, "a new job over the same pages reuses their prefilled prefix");
            }
        }
        assertEquals("COMPLETED", QuarkusTransaction.requiringNew().call(() -> ExtractJob.<ExtractJob>findById(again)).status);

        // A forced map-reduce plan with a demonstration: chunk calls, then the reduce call; the example is in every prompt.
        Path example = dir.resolve("example.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(84, 56, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", example.toFile());
        long form = in.get("f1040nr.pdf").documentId;
        QuestionSet mapReduce = new QuestionSet("map-reduce", List.of(new QuestionSet.Question("q", "What form is this?")),
                List.of(), List.of(new QuestionSet.Demo(example.toString(), "What is shown?", "A blank page", List.of(1))),
                new QuestionSet.Planning("mapreduce", 2500, null, null), null);
        long mr = extract.submit(mapReduce, String.valueOf(form));
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(mr), null));
        Answer a = QuarkusTransaction.requiringNew().call(() -> Answer.<Answer>find("jobId", mr).singleResult());
        assertEquals("mapreduce", a.strategy, a.status + " " + a.reason);
        PromptPlanRecord plan = QuarkusTransaction.requiringNew().call(() -> PromptPlanRecord.findById(a.planId));
        assertTrue(plan.calls >= 3, "at least two chunks and the reduce call: " + plan.calls);
        assertEquals(plan.calls, a.calls, "every planned call was made");
        assertTrue(plan.plan.matches("(?s).*\"kind\": ?\"DEMO\".*"), "the demonstration is in the prompts");
        assertTrue(a.rawOutput.contains("[reduce]"), a.rawOutput);
        assertNotNull(a.meanLogprob, "the reduce call's log-probs");
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> dev.quire.storage.review.AnswerReview.count("answerId", a.id)));
    }

    @Test
    void jobsOverRestReportProgressAndAnswersAndExportWritesEveryRecord() throws Exception {
        Path dir = Files.createTempDirectory("quire-extract-rest");
        Pdfs.report(dir.resolve("camelot-image-table.pdf"), 1, 4102);
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        long doc = IngestRuns.inputsByName(run.runId()).get("camelot-image-table.pdf").documentId;
        String body = "{\"questionSet\": {\"name\": \"rest\", \"questions\": [{\"question\": \"What is the form for?\"}],"
                + " \"fields\": [{\"name\": \"signed\", \"type\": \"boolean\"}]}, \"documents\": \"" + doc + "\"}";
        dev.quire.batch.testing.WebSession admin = dev.quire.batch.testing.WebSession.signIn(users, "jobs-admin", "admin");
        dev.quire.batch.testing.WebSession reviewer = dev.quire.batch.testing.WebSession.signIn(users, "jobs-reviewer", "reviewer");
        reviewer.given().contentType("application/json").body(body).post("/api/jobs").then().statusCode(403);
        io.restassured.RestAssured.given().contentType("application/json").body(body).post("/api/jobs").then().statusCode(401);
        int job = admin.given().contentType("application/json").body(body)
                .post("/api/jobs").then().statusCode(202).extract().path("jobId");
        String status = "RUNNING";
        for (int i = 0; i < 600 && status.equals("RUNNING"); i++) {
            Thread.sleep(200);
            status = reviewer.given().get("/api/jobs/" + job).then().statusCode(200).extract().path("status");
        }
        assertEquals("COMPLETED", status);
        reviewer.given().get("/api/jobs/" + job).then().body("expected", org.hamcrest.Matchers.equalTo(2))
                .body("documents", org.hamcrest.Matchers.equalTo(1));
        reviewer.given().get("/api/jobs/" + job + "/answers").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(2))
                .body("[0].fileName", org.hamcrest.Matchers.equalTo("camelot-image-table.pdf"));
        admin.given().contentType("application/json").body("{\"documents\": \"all\"}")
                .post("/api/jobs").then().statusCode(400);
        reviewer.given().get("/api/jobs/999999").then().statusCode(404);
        reviewer.given().get("/q/openapi").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("/api/jobs/{id}"));

        java.io.ByteArrayOutputStream jsonl = new java.io.ByteArrayOutputStream();
        assertEquals(2, export.jsonl(job, new java.io.PrintStream(jsonl, true, java.nio.charset.StandardCharsets.UTF_8)));
        String[] lines = jsonl.toString(java.nio.charset.StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length);
        com.fasterxml.jackson.databind.JsonNode first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[0]);
        assertEquals("camelot-image-table.pdf", first.get("fileName").asText());
        assertTrue(first.has("evidencePages") && first.has("modelCheckpoint") && first.has("prefillMs"), lines[0]);
        assertTrue(first.get("demoModel").asBoolean());
        assertTrue(first.get("meanLogprob").isNumber() && first.get("meanLogprob").asDouble() < 0, lines[0]);
        assertEquals(ExtractService.DEMO_NOTICE, first.get("notice").asText(), "the demo flag as text, not only a boolean");
        reviewer.given().get("/api/jobs/" + job + "/answers").then()
                .body("[0].notice", org.hamcrest.Matchers.equalTo(ExtractService.DEMO_NOTICE));
        java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
        assertEquals(2, export.csv(job, new java.io.PrintStream(csv, true, java.nio.charset.StandardCharsets.UTF_8)));
        List<String> csvLines = csv.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertTrue(csvLines.getFirst().startsWith("jobId,documentId,fileName,questionKey,question,"), csvLines.getFirst());
        assertTrue(csvLines.size() >= 3, "a header and two records (fields may span lines when quoted)");
    }

    @Inject
    dev.quire.batch.export.AnswerExport export;

    @Inject
    dev.quire.web.auth.Users users;

    @Test
    void aSelectionWithoutUsableDocumentsIsAnEmptyFinishedJob() {
        long job = extract.submit(QuestionSet.single("Q?"), "no-such-file-*.pdf");
        ExtractService.JobProgress p = extract.progress(job);
        assertEquals("COMPLETED", p.status());
        assertEquals(0, p.documents());
    }

    @Inject
    DocumentExtractor extractor;

    @Inject
    WorkQueue queue;

    @Inject
    dev.quire.batch.ingest.IngestProgress ingestLive;

    @Inject
    dev.quire.batch.extract.ExtractProgress live;

    @Test
    void aSelectionNamingMissingOrUnusableDocumentsRecordsThemOnTheJob() throws Exception {
        Path dir = Files.createTempDirectory("quire-extract-skipped");
        Pdfs.report(dir.resolve("usable.pdf"), 1, 4103);
        Files.writeString(dir.resolve("notes.txt"), "not a page\n");
        Map<String, SourceFile> in = IngestRuns.inputsByName(IngestRuns.runToEnd(ingest, List.of(dir.toString())).runId());
        long usable = in.get("usable.pdf").documentId;
        long text = in.get("notes.txt").documentId;
        long job = extract.submit(QuestionSet.single("What is it?"), usable + "," + text + ",999999");
        ExtractService.JobProgress p = extract.progress(job);
        assertEquals(1, p.documents());
        assertEquals(List.of("999999: no such document", text + " (notes.txt): UNSUPPORTED: notes.txt: unsupported type "
                + "text/plain (Quire pages PDF, PNG, JPEG, TIFF and, through LibreOffice, Office documents)"), p.skipped());
        dev.quire.batch.testing.WebSession.signIn(users, "jobs-reviewer", "reviewer").given().get("/api/jobs/" + job)
                .then().statusCode(200).body("skipped.size()", org.hamcrest.Matchers.equalTo(2));
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(job), null));
    }

    @Test
    void aWorkerThatLosesItsLeaseStopsWorkOnTheDocumentAtOnce() throws Exception {
        Path dir = Files.createTempDirectory("quire-extract-lease");
        Pdfs.report(dir.resolve("leased.pdf"), 1, 4104);
        long doc = IngestRuns.inputsByName(IngestRuns.runToEnd(ingest, List.of(dir.toString())).runId()).get("leased.pdf").documentId;
        QuestionSet four = new QuestionSet("lease", List.of(new QuestionSet.Question("a", "What is it?"),
                new QuestionSet.Question("b", "Who wrote it?"), new QuestionSet.Question("c", "When?"),
                new QuestionSet.Question("d", "Where?")), List.of(), List.of(), null, null);
        long job = extract.submit(four, String.valueOf(doc));
        WorkQueue.Claim claim = queue.claim(job).orElseThrow();
        java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
        DocumentExtractor.Outcome outcome = extractor.process(claim, a -> {
            if (stored.incrementAndGet() == 1) {
                // Another worker takes the document over (this one's lease ran out while it was stalled).
                QuarkusTransaction.requiringNew().run(() -> WorkItem.update(
                        "owner = 'other-worker/1', leaseUntil = ?1 where id = ?2",
                        java.time.OffsetDateTime.now().plusMinutes(5), claim.itemId()));
            }
        });
        assertTrue(outcome.leaseLost(), "the worker noticed it lost the document");
        assertEquals(1, stored.get(), "nothing was stored after the takeover");
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> Answer.count("jobId", job)));
        WorkItem item = QuarkusTransaction.requiringNew().call(() -> WorkItem.<WorkItem>findById(claim.itemId()));
        assertEquals("CLAIMED", item.status, "the new owner's claim is untouched");
        assertEquals("other-worker/1", item.owner);
        // An answer written by the old owner after the takeover is refused in its own transaction.
        QuarkusTransaction.requiringNew().run(() -> WorkItem.update("owner = ?1, leaseUntil = ?2 where id = ?3",
                claim.owner(), java.time.OffsetDateTime.now().plusMinutes(5), claim.itemId()));
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(job), null), "the job still finishes");
    }

    /** Runs a command in this application, returning what it printed (stdout and stderr) and its exit code. */
    static String[] run(Object command, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream o = System.out;
        java.io.PrintStream e = System.err;
        java.io.PrintStream both = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        int code;
        try {
            code = new picocli.CommandLine(command).execute(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        return new String[] {out.toString(java.nio.charset.StandardCharsets.UTF_8), String.valueOf(code)};
    }

    @Test
    void extractSummarySaysDemoModelAndAskPrintsWhyAFileHasNoPages() throws Exception {
        Path dir = Files.createTempDirectory("quire-extract-cli");
        Pdfs.report(dir.resolve("summary.pdf"), 1, 4105);
        long doc = IngestRuns.inputsByName(IngestRuns.runToEnd(ingest, List.of(dir.toString())).runId()).get("summary.pdf").documentId;
        Path questions = Files.writeString(dir.resolve("q.yaml"), "questions: [\"What is it?\"]\n");
        String[] r = run(new dev.quire.batch.cli.ExtractCommand(extract, live), "--questions", questions.toString(),
                "--docs", doc + ",999998");
        assertEquals("0", r[1], r[0]);
        assertTrue(r[0].contains("Skipped 1 document(s) of the selection:\n  999998: no such document"), r[0]);
        assertTrue(r[0].contains("Answered by embedded:demo on cpu [" + ExtractService.DEMO_NOTICE + "]"), r[0]);

        Path text = Files.writeString(dir.resolve("readme.txt"), "plain words\n");
        String[] ask = run(new dev.quire.batch.cli.AskCommand(ingest, ingestLive, extract, live), text.toString(), "Q?");
        assertEquals("1", ask[1], ask[0]);
        assertTrue(ask[0].contains("quire ask: document ") && ask[0].contains("(readme.txt) is UNSUPPORTED: readme.txt: "
                + "unsupported type text/plain"), ask[0]);
    }
}
