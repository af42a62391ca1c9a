package dev.quire.batch.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.batch.eval.synth.SyntheticBenchmark;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.layout.plan.PageInfo;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.PageRender;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A job's page selection (an evaluation protocol's DPI and page cap) on a real ingested PDF: pages past the cap are
 * out of the plan with the reason, and the pages shown are renders at exactly the requested DPI, stored apart from
 * (and never mistaken for) the native-resolution images of ingest.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class PageSelectionTest {
    @Inject
    IngestService ingest;
    @Inject
    PlanService plans;
    @Inject
    BlobStore blobs;

    @Test
    void pagesPastTheCapAreSkippedAndShownPagesAreRenderedAtTheRequestedDpi() throws Exception {
        Path dir = Files.createTempDirectory("quire-pagesel");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(dir, 1, 5, 21); // US Letter pages: 612 x 792 pt
        Path pdf = w.docs().resolve("synthetic-report-01.pdf");
        long runId = IngestRuns.runToEnd(ingest, List.of(pdf.toString())).runId();
        long doc = IngestRuns.inputsByName(runId).get("synthetic-report-01.pdf").documentId;

        PlanService.DocumentPages nativePages = plans.pages(doc);
        assertEquals(5, nativePages.pages().size());
        PageInfo native1 = nativePages.pages().getFirst();
        assertNotEquals(1224, native1.width(), "native rendering is the encoder's budget, not 144 dpi");

        PlanService.DocumentPages sel = plans.pages(doc, new PageSelection(144.0, 3));
        assertEquals(5, sel.pages().size(), "every page is listed");
        for (PageInfo p : sel.pages()) {
            if (p.number() > 3) {
                assertEquals("beyond the page cap: only the first 3 pages are used", p.unavailable());
                assertNull(sel.images().get(p.number()), "no image for page " + p.number());
                continue;
            }
            assertNull(p.unavailable());
            assertEquals(1224, p.width(), "612 pt at 144 dpi");
            assertEquals(1584, p.height(), "792 pt at 144 dpi");
            String sha = sel.images().get(p.number());
            assertNotEquals(nativePages.images().get(p.number()), sha, "not the native-resolution image");
            BufferedImage img = blobs.image(sha);
            assertEquals(1224, img.getWidth());
            assertEquals(1584, img.getHeight());
            assertEquals(nativePages.pages().get(p.number() - 1).text(), p.text(), "text is the page's own");
            assertTrue(p.ink() != null && p.ink().x() + p.ink().width() <= 1224, "ink box in the 144-dpi image's pixels");
        }
        assertEquals(3, renders(doc, 144f).size(), "pages past the cap are not rendered");

        // a second use takes the stored renders; another DPI is another set of rows
        Map<Integer, String> again = plans.pages(doc, new PageSelection(144.0, 3)).images();
        assertEquals(sel.images(), again);
        assertEquals(3, renders(doc, 144f).size());
        PlanService.DocumentPages at72 = plans.pages(doc, new PageSelection(72.0, null));
        assertEquals(612, at72.pages().getFirst().width());
        assertEquals(792, at72.pages().getFirst().height());
        assertEquals(5, at72.images().size(), "no cap: every page");
        assertEquals(5, renders(doc, 72f).size());
        assertEquals(3, renders(doc, 144f).size());

        // the planner lists the capped pages as skipped with the reason and never shows them
        PromptPlan plan = plans.plan(sel, "What is the total?", List.of(), plans.settings(), plans.costs(), "test").plan();
        Map<Integer, String> skipped = plan.skipped().stream()
                .collect(Collectors.toMap(PromptPlan.Skipped::page, PromptPlan.Skipped::reason));
        assertEquals("beyond the page cap: only the first 3 pages are used", skipped.get(4));
        assertEquals("beyond the page cap: only the first 3 pages are used", skipped.get(5));
        for (PromptPlan.Prompt p : plan.prompts()) {
            for (PromptPlan.Item i : p.items()) {
                if (i.kind() == PromptPlan.Kind.PAGE) {
                    assertTrue(i.page() <= 3, "page " + i.page() + " is past the cap");
                    assertTrue(i.crop().x() + i.crop().width() <= 1224 && i.crop().y() + i.crop().height() <= 1584);
                }
            }
        }
        // without a selection nothing changes
        assertEquals(nativePages.images(), plans.pages(doc, PageSelection.ALL_NATIVE).images());
        assertThrows(IllegalArgumentException.class, () -> new PageSelection(0.0, null));
        assertThrows(IllegalArgumentException.class, () -> new PageSelection(null, 0));
    }

    private static List<PageRender> renders(long doc, float dpi) {
        return QuarkusTransaction.requiringNew().call(() -> PageRender.of(doc, dpi));
    }
}
