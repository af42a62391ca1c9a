package dev.quire.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.quire.batch.testing.WebSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Debian's headless Chromium driven by Playwright, and signing in through the login form as a person does. */
final class Browsers {
    static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));

    private Browsers() {
    }

    static Playwright playwright() {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install chromium (see .ci/run)");
        return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    }

    static Browser chromium(Playwright pw) {
        return pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    }

    /** Opens {@code url}, is sent to the login page, signs in and lands on {@code url}. */
    static Page signIn(Browser browser, String root, String path, String user) {
        Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900)).newPage();
        page.navigate(root + path.substring(1));
        page.waitForURL("**/login");
        page.locator("#username").fill(user);
        page.locator("#password").fill(WebSession.PASSWORD);
        page.locator("#sign-in").click();
        page.waitForLoadState();
        return page;
    }

    /** Milliseconds from navigation start to the first byte of the server's answer (server time + network). */
    static double firstByte(Page page) {
        return ((Number) page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStart")).doubleValue();
    }

    /** Milliseconds from navigation start to the first contentful paint of the page now shown. */
    static double firstPaint(Page page) {
        page.waitForFunction("() => performance.getEntriesByName('first-contentful-paint').length > 0");
        return ((Number) page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0].startTime")).doubleValue();
    }
}
