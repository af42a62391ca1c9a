package dev.quire.browser;

import dev.quire.fixtures.Samples;
import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.*;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.quire.batch.ingest.IngestService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The document list and document pages in a real headless Chromium (Debian's /usr/bin/chromium). */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@Tag("slow")
class ReviewPagesBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));

    @TestHTTPResource("/")
    URL root;

    @Inject
    IngestService ingest;

    @Inject
    dev.quire.web.auth.Users users;

    @Test
    void documentListLinksToRenderedPagesAndShowsRejections() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install chromium (see .ci/run)");
        Path dir = Files.createTempDirectory("quire-ui");
        for (String n : List.of("metropolis-demo.pdf", "ocrmypdf-invalid.pdf")) {
            Files.copy(Samples.file(n), dir.resolve(n));
        }
        IngestRuns.runToEnd(ingest, List.of(dir.toString()));

        users.put("pages-reviewer", "reviewer", dev.quire.batch.testing.WebSession.PASSWORD.toCharArray());
        try (Playwright pw = Browsers.playwright()) {
            Browser browser = Browsers.chromium(pw);
            Page page = Browsers.signIn(browser, root.toString(), "/documents", "pages-reviewer");
            Locator rows = page.locator("#documents tbody tr");
            assertThat(page.locator("#documents tbody")).containsText("metropolis-demo.pdf");
            Locator rejected = rows.filter(new Locator.FilterOptions().setHasText("ocrmypdf-invalid.pdf"));
            assertThat(rejected).containsText("REJECTED");
            assertThat(rejected).containsText("ocrmypdf-invalid.pdf: not a readable PDF");
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/ui-documents.png")).setFullPage(true));

            page.locator("#documents a", new Page.LocatorOptions().setHasText("metropolis-demo.pdf")).click();
            assertThat(page.locator("#title")).hasText("metropolis-demo.pdf");
            assertThat(page.locator("figure.page")).hasCount(33);
            Locator first = page.locator("#page-1 img");
            first.scrollIntoViewIfNeeded();
            page.waitForFunction("() => { const i = document.querySelector('#page-1 img'); return i.complete && i.naturalWidth > 0; }");
            Object natural = first.evaluate("img => [img.naturalWidth, img.naturalHeight]");
            List<?> size = (List<?>) natural;
            int w = ((Number) size.get(0)).intValue();
            int h = ((Number) size.get(1)).intValue();
            assertEquals(0, w % 28, "the UI shows the stored native-resolution image: " + w + "x" + h);
            assertEquals(0, h % 28);
            assertThat(page.locator("#page-1 figcaption")).containsText(w + "×" + h + " px");
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/ui-document.png")));
            browser.close();
        }
    }
}
