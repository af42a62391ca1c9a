package dev.quire.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.*;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.plan.PlanService;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.batch.testing.ReviewFixture;
import dev.quire.batch.testing.WebSession;
import dev.quire.web.auth.Users;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A reviewer's session in real headless Chromium: sign in, the queue, a document with a highlighted answer, accept /
 * correct / reject with the keyboard only, the history; a second reviewer's stale change gets the conflict; text from
 * the PDF and HTML from the model are shown as text.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@Tag("slow")
class ReviewBrowserTest {
    @TestHTTPResource("/")
    URL root;
    @Inject
    IngestService ingest;
    @Inject
    PlanService plans;
    @Inject
    Users users;

    @Test
    void aReviewerWorksThroughADocumentWithTheKeyboardAndASecondReviewerGetsTheConflict() throws Exception {
        ReviewFixture f = ReviewFixture.create(ingest, plans, "browser-fixture");
        users.put("rita", "reviewer", WebSession.PASSWORD.toCharArray());
        users.put("sam", "admin", WebSession.PASSWORD.toCharArray());
        try (Playwright pw = Browsers.playwright(); Browser browser = Browsers.chromium(pw)) {
            Page rita = Browsers.signIn(browser, root.toString(), "/queue?job=" + f.jobId(), "rita");
            assertTrue(rita.url().contains("/queue?job=" + f.jobId()), rita.url());
            Locator rows = rita.locator("#queue tbody tr");
            assertThat(rows).hasCount(5);
            assertThat(rows.first()).containsText("failed");
            assertThat(rows.nth(2)).containsText("ungrounded");
            assertThat(rows.nth(2).locator(".badge.b-UNGROUNDED")).hasAttribute("title",
                    java.util.regex.Pattern.compile("^'Bob Jones' does not occur on cited pages 2, 3"));
            assertThat(rita.locator("#queue")).containsText("DEMO MODEL");
            // the model's HTML is text, not markup
            assertThat(rita.locator("#queue")).containsText(ReviewFixture.ANSWER_HTML);
            assertEquals(0, rita.locator("#queue img, #queue b").count());
            rita.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/ui-queue.png")).setFullPage(true));

            // the second reviewer opens the ungrounded answer now, and acts on it only after rita has corrected it
            Page sam = Browsers.signIn(browser, root.toString(),
                    "/documents/" + f.documentId() + "?answer=" + f.ungrounded(), "sam");

            // keyboard only: j/k to the grounded answer (the last row), Enter opens its document
            for (int i = 0; i < 4; i++) {
                rita.keyboard().press("j");
            }
            assertThat(rows.nth(4)).hasClass(java.util.regex.Pattern.compile("selected"));
            rita.keyboard().press("Enter");
            rita.waitForURL("**/documents/" + f.documentId() + "?answer=" + f.grounded());
            assertThat(rita.locator("#title")).hasText(f.fileName());
            Locator marks = rita.locator("#page-1 mark.hl");
            assertTrue(marks.count() >= 1, "the answer's words are highlighted on page 1");
            assertThat(rita.locator("#page-1 figcaption")).containsText("sent at full resolution");
            rita.waitForFunction("() => { const i = document.querySelector('#page-1 img'); return i.complete && i.naturalWidth > 0; }");
            assertTrue(((String) rita.locator("#page-1 img").getAttribute("src")).startsWith("/api/plans/"),
                    "the view shows the image the prompt sent");
            assertThat(rita.locator("#page-1 a.full")).hasAttribute("href", java.util.regex.Pattern.compile("/api/pages/\\d+/image"));
            assertThat(rita.locator("#answers .plan")).containsText("Full resolution");
            rita.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/ui-document.png")));

            // help
            rita.keyboard().press("?");
            assertThat(rita.locator("#help")).isVisible();
            rita.keyboard().press("?");

            // a: accept the grounded answer
            rita.keyboard().press("a");
            Locator grounded = rita.locator("#answer-" + f.grounded());
            assertThat(grounded.locator(".state")).hasText("ACCEPTED");
            // j, e: correct the ungrounded one
            rita.keyboard().press("j");
            rita.waitForURL("**?answer=" + f.ungrounded());
            // the PDF's own <script> is shown as text in the cited pages' text
            rita.locator("details.evidence-text summary").click();
            assertThat(rita.locator("#text-2")).containsText(ReviewFixture.PDF_SCRIPT);
            rita.keyboard().press("e");
            Locator value = rita.locator("#answer-" + f.ungrounded() + " .correct-form input");
            assertThat(value).isFocused();
            rita.keyboard().press("Control+A");
            rita.keyboard().type("Alice Smith");
            rita.keyboard().press("Enter");
            Locator ungrounded = rita.locator("#answer-" + f.ungrounded());
            assertThat(ungrounded.locator(".state")).hasText("CORRECTED");
            // j, r: reject the one whose answer is HTML
            rita.locator("body").focus();
            rita.keyboard().press("j");
            rita.waitForURL("**?answer=" + f.htmlNoEvidence());
            rita.keyboard().press("r");
            assertThat(rita.locator("#answer-" + f.htmlNoEvidence() + " .reject-form input")).isFocused();
            rita.keyboard().type("cites no page and is markup");
            rita.keyboard().press("Enter");
            Locator html = rita.locator("#answer-" + f.htmlNoEvidence());
            assertThat(html.locator(".state")).hasText("REJECTED");
            assertThat(html.locator(".answer-text")).hasText(ReviewFixture.ANSWER_HTML);
            // all three in the history
            assertThat(grounded.locator(".history")).containsText("rita ACCEPT");
            assertThat(ungrounded.locator(".history")).containsText("rita CORRECT: Bob Jones → Alice Smith");
            assertThat(html.locator(".history")).containsText("rita REJECT (cites no page and is markup)");
            assertNull(rita.evaluate("() => window.pdfXss || window.answerXss || null"), "no script from the PDF or the model ran");

            // sam still sees version 0 of the ungrounded answer: accepting it is a conflict that shows rita's change
            sam.locator("body").focus();
            sam.keyboard().press("a");
            Locator conflict = sam.locator("#answer-" + f.ungrounded() + " .conflict");
            assertThat(conflict).isVisible();
            assertThat(conflict).containsText("rita CORRECT → Alice Smith");
            assertThat(sam.locator("#answer-" + f.ungrounded() + " .state")).hasText("UNREVIEWED");

            // jobs page (admin sees the start form)
            sam.navigate(root + "jobs");
            assertThat(sam.locator("#job-" + f.jobId())).containsText("engine failed after 3 attempts");
            assertThat(sam.locator("#start-job")).isVisible();
            sam.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/ui-jobs.png")).setFullPage(true));
            rita.navigate(root + "jobs");
            assertEquals(0, rita.locator("#start-job").count(), "reviewers cannot start jobs");
        }
    }

    /** The fetch the page's own script makes, with or without the page's CSRF token; returns the HTTP status. */
    static int postJob(Page page, String questionSetJson, String documents, boolean withToken) {
        return ((Number) page.evaluate("""
                async ([qs, docs, withToken]) => {
                  const headers = { 'Content-Type': 'application/json' };
                  if (withToken) headers['X-CSRF-TOKEN'] = document.querySelector('meta[name="csrf-token"]').content;
                  const r = await fetch('/api/jobs', { method: 'POST', headers,
                      body: JSON.stringify({ questionSet: JSON.parse(qs), documents: docs }) });
                  return r.status;
                }""", java.util.List.of(questionSetJson, documents, withToken))).intValue();
    }

    static long jobs() {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> dev.quire.storage.extract.ExtractJob.count());
    }

    @Test
    void anAdminStartsAJobFromAStoredQuestionSetOnTheJobsPageAndAReviewerOrAForgedPostCannot() throws Exception {
        ReviewFixture f = ReviewFixture.create(ingest, plans, "jobs-form-fixture");
        String stored = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                dev.quire.storage.extract.ExtractJob.<dev.quire.storage.extract.ExtractJob>findById(f.jobId()).questionSet);
        users.put("jobs-rita", "reviewer", WebSession.PASSWORD.toCharArray());
        users.put("jobs-sam", "admin", WebSession.PASSWORD.toCharArray());
        try (Playwright pw = Browsers.playwright(); Browser browser = Browsers.chromium(pw)) {
            Page rita = Browsers.signIn(browser, root.toString(), "/jobs", "jobs-rita");
            assertEquals(0, rita.locator("#start-job").count(), "reviewers get no start form");
            long before = jobs();
            assertEquals(403, postJob(rita, stored, Long.toString(f.documentId()), true),
                    "a reviewer's own signed-in, token-carrying request is refused by role");

            Page sam = Browsers.signIn(browser, root.toString(), "/jobs", "jobs-sam");
            int forged = postJob(sam, stored, Long.toString(f.documentId()), false);
            assertTrue(forged == 400 || forged == 403, "an admin's session without the CSRF token is refused: " + forged);
            assertEquals(before, jobs(), "neither refused request made a job");

            // the form: the question set stored with the fixture's job, over the fixture's document
            Locator form = sam.locator("#start-job");
            assertThat(form.locator("select[name=from] option[value='" + f.jobId() + "']"))
                    .hasText("jobs-form-fixture (as in job " + f.jobId() + ")");
            form.locator("select[name=from]").selectOption(Long.toString(f.jobId()));
            form.locator("input[name=documents]").fill(Long.toString(f.documentId()));
            form.locator("button").click();
            // 202 reloads the page, which lists the new job first
            assertThat(sam.locator("#jobs tbody tr").first()).not().hasAttribute("id", "job-" + f.jobId());
            assertEquals(before + 1, jobs());
            long started = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                    dev.quire.storage.extract.ExtractJob.<dev.quire.storage.extract.ExtractJob>find("order by id desc").firstResult().id);
            dev.quire.storage.extract.ExtractJob job = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                    dev.quire.storage.extract.ExtractJob.<dev.quire.storage.extract.ExtractJob>findById(started));
            assertEquals(Long.toString(f.documentId()), job.documents);
            assertTrue(job.questionSet.contains("\"signer\"") && job.questionSet.contains("\"total\""), job.questionSet);
            assertThat(sam.locator("#job-" + started)).containsText("jobs-form-fixture");
            // it runs in this process with the demo model: 2 questions over 1 document, shown live
            assertThat(sam.locator("#job-" + started)).containsText("COMPLETED",
                    new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(240_000));
            assertThat(sam.locator("#job-" + started)).containsText("2 of 2");

        }
    }
}
