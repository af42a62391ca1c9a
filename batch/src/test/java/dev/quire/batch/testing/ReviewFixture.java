package dev.quire.batch.testing;

import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.plan.PlanService;
import dev.quire.fixtures.Pdfs;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import dev.quire.storage.extract.ExtractJob;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real ingested PDF (its text layer includes a {@code <script>} tag) and a job whose stored answers cover the
 * review cases: grounded (with a real plan, so the view shows what was sent) but with a low mean token log-prob,
 * ungrounded, no evidence with HTML in the answer, a parse error and a failure. The answers are written as the extractor
 * writes rows, but without their risk (the queue's backfill assesses them); the model is the demo model, so every one
 * is marked DEMO MODEL.
 */
public record ReviewFixture(long documentId, long jobId, long grounded, long ungrounded, long htmlNoEvidence,
                            long parseError, long failed, String fileName) {

    public static final String PDF_SCRIPT = "<script>window.pdfXss=1</script>";
    /** The grounded answer's mean token log-prob: below the default threshold (-1.0), so "low confidence". */
    public static final float LOW_MEAN_LOGPROB = -2.5f;
    public static final String ANSWER_HTML = "<img src=x onerror=\"window.answerXss=1\"><b>bold</b>";

    public static ReviewFixture create(IngestService ingest, PlanService plans, String name) throws Exception {
        Path dir = Files.createTempDirectory("quire-review");
        String fileName = name + ".pdf";
        Pdfs.text(dir.resolve(fileName), 3, i -> switch (i) {
            case 1 -> "Invoice " + name + "\nTotal amount due: 1,234.00 USD\nIssued 12 March 2019";
            case 2 -> "Notes: " + PDF_SCRIPT + " were found in the margin";
            default -> "Signed by Alice Smith, treasurer";
        });
        long doc = IngestRuns.inputsByName(IngestRuns.runToEnd(ingest, List.of(dir.toString())).runId())
                .get(fileName).documentId;
        long plan = plans.plan(doc, "What is the total amount due?", plans.settings()).id();
        long plan3 = plans.plan(doc, "Who signed it?", plans.settings()).id();
        return QuarkusTransaction.requiringNew().call(() -> {
            ExtractJob job = new ExtractJob();
            job.name = name;
            job.questionSet = "{\"name\": \"" + name + "\", \"questions\": [{\"id\": \"signer\", \"question\": \"Who signed it?\"}],"
                    + " \"fields\": [{\"name\": \"total\", \"type\": \"float\", \"description\": \"the total\"}]}";
            job.documents = Long.toString(doc);
            job.status = ExtractJob.COMPLETED;
            job.totalItems = 1;
            job.questions = 5;
            job.persist();
            long g = answer(job.id, doc, "total", "What is the total amount due?", "float", AnswerStatus.ANSWERED,
                    "1,234.00", "1234.0", List.of(1), plan, null, LOW_MEAN_LOGPROB);
            long u = answer(job.id, doc, "signer", "Who signed it?", null, AnswerStatus.ANSWERED,
                    "Bob Jones", "\"Bob Jones\"", List.of(2, 3), plan3, null, null);
            long h = answer(job.id, doc, "notes", "What do the notes say?", null, AnswerStatus.ANSWERED,
                    ANSWER_HTML, null, List.of(), null, null, -0.2f);
            long p = answer(job.id, doc, "issued", "When was it issued?", "date", AnswerStatus.PARSE_ERROR,
                    "sometime", null, List.of(1), null, "value does not parse as date: 'sometime'", null);
            long f = answer(job.id, doc, "count", "How many items?", "int", AnswerStatus.FAILED,
                    null, null, List.of(), null, "engine failed after 3 attempts: connection refused", null);
            return new ReviewFixture(doc, job.id, g, u, h, p, f, fileName);
        });
    }

    private static long answer(long job, long doc, String key, String question, String type, AnswerStatus status,
                               String answer, String parsed, List<Integer> evidence, Long plan, String reason,
                               Float meanLogprob) {
        Answer a = new Answer();
        a.jobId = job;
        a.documentId = doc;
        a.questionKey = key;
        a.question = question;
        a.valueType = type;
        a.status = status;
        a.answer = answer;
        a.rawOutput = answer == null ? null : "Answer: " + answer;
        a.parsedValue = parsed;
        a.evidencePages = evidence;
        a.planId = plan;
        a.reason = reason;
        a.meanLogprob = meanLogprob;
        a.engine = "embedded";
        a.model = "demo (DEMO MODEL)";
        a.demoModel = true;
        a.persist();
        return a.id;
    }
}
