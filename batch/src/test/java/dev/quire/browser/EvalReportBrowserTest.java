package dev.quire.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.quire.batch.eval.EvalService;
import dev.quire.batch.eval.MmlbSamples;
import dev.quire.batch.eval.synth.SyntheticBenchmark;
import dev.quire.batch.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** An evaluation run's report page in a real headless Chromium: headline figures with intervals, charts, items. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@Tag("slow")
class EvalReportBrowserTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    EvalService evals;

    @Inject
    dev.quire.web.auth.Users users;

    @Test
    void reportPageShowsAccuracyWithIntervalChartsAndItems() throws Exception {
        Path dir = Files.createTempDirectory("quire-eval-ui");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(dir, 2, 4, 5);
        MmlbSamples.Loaded loaded = MmlbSamples.read(w.samples(), w.docs());
        List<String> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (MmlbSamples.Sample s : loaded.samples()) { // every other question right
            lines.add(json.writeValueAsString(Map.of("doc_id", s.docId(), "question", s.question(),
                    "pred", s.index() % 2 == 0 ? s.answer() : "Not answerable")));
        }
        Files.write(dir.resolve("p.jsonl"), lines);
        long run = evals.scoreMmlbPredictions(loaded, dir.resolve("p.jsonl"), Map.of("mode", "predictions-file"));
        String acc = String.format(java.util.Locale.ROOT, "%.1f", 100 * evals.report(run).accuracy());

        users.put("eval-reviewer", "reviewer", dev.quire.batch.testing.WebSession.PASSWORD.toCharArray());
        try (Playwright pw = Browsers.playwright()) {
            Browser browser = Browsers.chromium(pw);
            Page page = Browsers.signIn(browser, root.toString(), "/eval", "eval-reviewer");
            page.navigate(root + "eval");
            page.locator("a", new Page.LocatorOptions().setHasText(String.valueOf(run))).first().click();
            assertThat(page.locator("#accuracy")).containsText(acc + " [");
            assertThat(page.locator("#f1")).containsText("[");
            assertTrue(page.locator("svg rect").count() >= 5, "bar charts");
            assertThat(page.locator("#items")).containsText("absent-report.pdf");
            assertThat(page.locator("#items")).containsText("MISSING_DOC");
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/ui-eval-report.png")).setFullPage(false));
            var api = page.navigate(root + "api/eval/runs/" + run);
            assertTrue(api.ok() && api.text().contains("\"by_answer_format\""), "the report as JSON");
            assertTrue(page.navigate(root + "api/eval/runs").text().contains("\"report\":\"/eval/runs/" + run + "\""));
            browser.close();
        }
    }
}
