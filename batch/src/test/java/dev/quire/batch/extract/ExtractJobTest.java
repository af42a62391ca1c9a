package dev.quire.batch.extract;

import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.Corpus;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.batch.ingest.IngestService;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import dev.quire.storage.extract.ExtractJob;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.storage.ingest.SourceFile;
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
        Corpus.copy(dir, "reliance.pdf", "ocr_test_rotated_90.pdf", "f1040nr.pdf"); // files no other test ingests (shared database)
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
                List.of(), null);
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
        for (Answer a : answers) {
            if (a.documentId == blankDoc) {
                assertEquals(AnswerStatus.FAILED, a.status);
                assertTrue(a.reason.startsWith("not plannable: only-blank.pdf: no page can be shown"), a.reason);
                continue;
            }
            assertTrue(Set.of(AnswerStatus.ANSWERED, AnswerStatus.NOT_ANSWERABLE, AnswerStatus.PARSE_ERROR).contains(a.status), a.status + " " + a.reason);
            assertNotNull(a.rawOutput);
            assertNotNull(a.planId);
            assertTrue(a.demoModel);
            assertEquals("embedded", a.engine);
            assertEquals(64, a.modelCheckpoint.length());
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

        // Running the finished job again claims nothing and adds nothing.
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(job), null));
        assertEquals(16L, QuarkusTransaction.requiringNew().call(() -> Answer.count("jobId", job)));

        // A new job over the same documents is a new, comparable result set.
        long again = extract.submit(QuestionSet.single("What is the title?"), selection);
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(again), null));
        assertEquals(4L, QuarkusTransaction.requiringNew().call(() -> Answer.count("jobId", again)));
        assertEquals("COMPLETED", QuarkusTransaction.requiringNew().call(() -> ExtractJob.<ExtractJob>findById(again)).status);

        // A forced map-reduce plan with a demonstration: chunk calls, then the reduce call; the example is in every prompt.
        Path example = dir.resolve("example.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(84, 56, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", example.toFile());
        long form = in.get("f1040nr.pdf").documentId;
        QuestionSet mapReduce = new QuestionSet("map-reduce", List.of(new QuestionSet.Question("q", "What form is this?")),
                List.of(), List.of(new QuestionSet.Demo(example.toString(), "What is shown?", "A blank page", List.of(1))),
                new QuestionSet.Planning("mapreduce", 2500, null, null));
        long mr = extract.submit(mapReduce, String.valueOf(form));
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(mr), null));
        Answer a = QuarkusTransaction.requiringNew().call(() -> Answer.<Answer>find("jobId", mr).singleResult());
        assertEquals("mapreduce", a.strategy, a.status + " " + a.reason);
        PromptPlanRecord plan = QuarkusTransaction.requiringNew().call(() -> PromptPlanRecord.findById(a.planId));
        assertTrue(plan.calls >= 3, "at least two chunks and the reduce call: " + plan.calls);
        assertEquals(plan.calls, a.calls, "every planned call was made");
        assertTrue(plan.plan.matches("(?s).*\"kind\": ?\"DEMO\".*"), "the demonstration is in the prompts");
        assertTrue(a.rawOutput.contains("[reduce]"), a.rawOutput);
    }

    @Test
    void jobsOverRestReportProgressAndAnswersAndExportWritesEveryRecord() throws Exception {
        Path dir = Files.createTempDirectory("quire-extract-rest");
        Corpus.copy(dir, "camelot-image-table.pdf");
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        long doc = IngestRuns.inputsByName(run.runId()).get("camelot-image-table.pdf").documentId;
        String body = "{\"questionSet\": {\"name\": \"rest\", \"questions\": [{\"question\": \"What is the form for?\"}],"
                + " \"fields\": [{\"name\": \"signed\", \"type\": \"boolean\"}]}, \"documents\": \"" + doc + "\"}";
        int job = io.restassured.RestAssured.given().contentType("application/json").body(body)
                .post("/api/jobs").then().statusCode(202).extract().path("jobId");
        String status = "RUNNING";
        for (int i = 0; i < 600 && status.equals("RUNNING"); i++) {
            Thread.sleep(200);
            status = io.restassured.RestAssured.get("/api/jobs/" + job).then().statusCode(200).extract().path("status");
        }
        assertEquals("COMPLETED", status);
        io.restassured.RestAssured.get("/api/jobs/" + job).then().body("expected", org.hamcrest.Matchers.equalTo(2))
                .body("documents", org.hamcrest.Matchers.equalTo(1));
        io.restassured.RestAssured.get("/api/jobs/" + job + "/answers").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(2))
                .body("[0].fileName", org.hamcrest.Matchers.equalTo("camelot-image-table.pdf"));
        io.restassured.RestAssured.given().contentType("application/json").body("{\"documents\": \"all\"}")
                .post("/api/jobs").then().statusCode(400);
        io.restassured.RestAssured.get("/api/jobs/999999").then().statusCode(404);
        io.restassured.RestAssured.get("/q/openapi").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("/api/jobs/{id}"));

        java.io.ByteArrayOutputStream jsonl = new java.io.ByteArrayOutputStream();
        assertEquals(2, export.jsonl(job, new java.io.PrintStream(jsonl, true, java.nio.charset.StandardCharsets.UTF_8)));
        String[] lines = jsonl.toString(java.nio.charset.StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length);
        com.fasterxml.jackson.databind.JsonNode first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[0]);
        assertEquals("camelot-image-table.pdf", first.get("fileName").asText());
        assertTrue(first.has("evidencePages") && first.has("modelCheckpoint") && first.has("prefillMs"), lines[0]);
        java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
        assertEquals(2, export.csv(job, new java.io.PrintStream(csv, true, java.nio.charset.StandardCharsets.UTF_8)));
        List<String> csvLines = csv.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertTrue(csvLines.getFirst().startsWith("jobId,documentId,fileName,questionKey,question,"), csvLines.getFirst());
        assertTrue(csvLines.size() >= 3, "a header and two records (fields may span lines when quoted)");
    }

    @Inject
    dev.quire.batch.export.AnswerExport export;

    @Test
    void aSelectionWithoutUsableDocumentsIsAnEmptyFinishedJob() {
        long job = extract.submit(QuestionSet.single("Q?"), "no-such-file-*.pdf");
        ExtractService.JobProgress p = extract.progress(job);
        assertEquals("COMPLETED", p.status());
        assertEquals(0, p.documents());
    }
}
