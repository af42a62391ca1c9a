package dev.quire.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.*;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.plan.PlanService;
import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.batch.testing.WebSession;
import dev.quire.fixtures.Pdfs;
import dev.quire.storage.extract.ExtractJob;
import dev.quire.web.auth.Users;
import dev.quire.web.review.RiskAssessor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * First paint of the queue over 100,000 answers (first page and a page deep in the keyset) and of a 300-page
 * document's view, in headless Chromium. The times are printed, not asserted (the machine is shared).
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@Tag("slow")
class ReviewScaleBrowserTest {
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static final int ANSWERS = 100_000;

    @TestHTTPResource("/")
    URL root;
    @Inject
    IngestService ingest;
    @Inject
    PlanService plans;
    @Inject
    Users users;
    @Inject
    RiskAssessor risk;
    @Inject
    EntityManager em;

    @Test
    void aQueueOver100000AnswersAndA300PageDocumentOpenFast() throws Exception {
        Path dir = Files.createTempDirectory("quire-scale");
        long t0 = System.nanoTime();
        Pdfs.report(dir.resolve("long-report-300.pdf"), 300, 4242);
        long doc = IngestRuns.inputsByName(IngestRuns.runToEnd(ingest, List.of(dir.toString())).runId())
                .get("long-report-300.pdf").documentId;
        long ingestMs = (System.nanoTime() - t0) / 1_000_000;
        long plan = plans.plan(doc, "How much did revenue rise on page 150?", plans.settings()).id();

        long t1 = System.nanoTime();
        long job = QuarkusTransaction.requiringNew().call(() -> {
            ExtractJob j = new ExtractJob();
            j.name = "scale";
            j.questionSet = "{\"name\": \"scale\", \"questions\": [\"How much did revenue rise?\"]}";
            j.documents = Long.toString(doc);
            j.status = ExtractJob.COMPLETED;
            j.totalItems = 1;
            j.questions = ANSWERS;
            j.persist();
            // one statement: statuses, evidence and groundedness vary with i, every fifth answer has the real plan
            em.createNativeQuery("INSERT INTO quire.answer (job_id, document_id, question_key, question, status, reason, "
                    + "answer, raw_output, evidence_pages, plan_id, engine, model, demo_model) "
                    + "SELECT ?1, ?2, 'q' || i, 'Question ' || (i % 50) || '?', "
                    + "CASE WHEN i % 97 = 0 THEN 'FAILED' WHEN i % 31 = 0 THEN 'PARSE_ERROR' "
                    + "WHEN i % 13 = 0 THEN 'NOT_ANSWERABLE' ELSE 'ANSWERED' END, "
                    + "CASE WHEN i % 97 = 0 THEN 'engine failed after 3 attempts' WHEN i % 31 = 0 THEN 'no answer line' END, "
                    + "CASE WHEN i % 3 = 0 THEN 'quarterly figures' ELSE 'answer ' || i END, 'Answer: …', "
                    + "CASE WHEN i % 11 = 0 THEN '[]'::jsonb ELSE jsonb_build_array(i % 300 + 1) END, "
                    + "CASE WHEN i % 5 = 0 THEN ?3 END, 'embedded', 'demo (DEMO MODEL)', true "
                    + "FROM generate_series(1, ?4) AS i")
                    .setParameter(1, j.id).setParameter(2, doc).setParameter(3, plan).setParameter(4, ANSWERS).executeUpdate();
            return j.id;
        });
        long seedMs = (System.nanoTime() - t1) / 1_000_000;
        long t2 = System.nanoTime();
        int assessed = risk.assessNew();
        long assessMs = (System.nanoTime() - t2) / 1_000_000;
        assertTrue(assessed >= ANSWERS, "every seeded answer assessed: " + assessed);
        // the next look finds nothing new and costs no scan of the 100,000 (it starts above the newest id it saw)
        long t3 = System.nanoTime();
        assertEquals(0, risk.assessNew(), "nothing new to assess");
        double againMs = (System.nanoTime() - t3) / 1e6;
        String explain = QuarkusTransaction.requiringNew().call(() -> String.join("\n", em.createNativeQuery(
                "EXPLAIN ANALYZE SELECT answer_id FROM quire.answer_review WHERE job_id = ?1 AND (risk, answer_id) < (60, 50000) "
                        + "ORDER BY risk DESC, answer_id DESC LIMIT 51").setParameter(1, job).getResultList()));

        users.put("scale-reviewer", "reviewer", WebSession.PASSWORD.toCharArray());
        long answerWithPlan = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT id FROM quire.answer WHERE job_id = ?1 AND plan_id IS NOT NULL AND status = 'ANSWERED' ORDER BY id LIMIT 1")
                .setParameter(1, job).getSingleResult()).longValue());
        try (Playwright pw = Browsers.playwright(); Browser browser = Browsers.chromium(pw)) {
            Page page = Browsers.signIn(browser, root.toString(), "/queue?job=" + job, "scale-reviewer");
            double queueWarm = Browsers.firstPaint(page);
            page.navigate(root + "queue?job=" + job);
            double queueFirst = Browsers.firstPaint(page);
            double queueByte = Browsers.firstByte(page);
            assertThat(page.locator("#queue tbody tr")).hasCount(50);
            assertThat(page.locator("#queue tbody tr").first()).containsText("failed");
            for (int i = 0; i < 3; i++) {
                page.locator("#next-page").click();
                page.waitForLoadState();
            }
            double queueDeep = Browsers.firstPaint(page);
            page.navigate(root + "queue?job=" + job + "&status=ANSWERED&state=UNREVIEWED");
            double queueFiltered = Browsers.firstPaint(page);
            page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/ui-queue-100k.png")));

            page.navigate(root + "documents/" + doc + "?answer=" + answerWithPlan);
            double docFirst = Browsers.firstPaint(page);
            assertThat(page.locator("figure.page")).hasCount(300);
            page.navigate(root + "documents/" + doc + "?answer=" + answerWithPlan);
            double docAgain = Browsers.firstPaint(page);
            double docByte = Browsers.firstByte(page);
            page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/ui-document-300.png")));

            System.out.printf("""
                    review UI scale (first contentful paint in headless Chromium, same run):
                      setup: 300-page PDF ingested in %d ms; %,d answers seeded in %d ms; risk of %,d answers assessed in %d ms, the next look (nothing new) %.1f ms
                      queue over %,d answers: first page %.0f ms (again %.0f ms, first byte at %.0f ms), 4th page by keyset %.0f ms, filtered %.0f ms
                      300-page document view: %.0f ms (again %.0f ms, first byte at %.0f ms)
                      machine load average at the end: %s
                      keyset query plan:
                    %s
                    """, ingestMs, ANSWERS, seedMs, assessed, assessMs, againMs, ANSWERS, queueWarm, queueFirst, queueByte, queueDeep,
                    queueFiltered, docFirst, docAgain, docByte, loadAverage(), explain.indent(4));
        }
    }
}
