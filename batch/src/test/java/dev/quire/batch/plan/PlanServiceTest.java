package dev.quire.batch.plan;

import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import static org.junit.jupiter.api.Assertions.*;


import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.plan.PlanService;
import dev.quire.layout.plan.PassageEmbedder;
import dev.quire.layout.plan.PlanException;
import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.plan.PromptAssembler;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.layout.plan.Strategy;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.Page;
import dev.quire.storage.ingest.SourceFile;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerationOptions;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class PlanServiceTest {
    static final String FACT = "The Halvorsen merger closed on 12 March for 4.1 billion kroner.";

    @Inject
    IngestService ingest;

    @Inject
    PlanService plans;

    @Inject
    BlobStore blobs;

    static Path pdf;

    /** 12 pages: page 5 blank, page 9 states the fact, the rest are routine notes in a small box (wide margins). */
    @BeforeAll
    static void writeReport() throws IOException {
        pdf = Files.createTempDirectory("quire-plan").resolve("quarterly-notes.pdf");
        PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        try (PDDocument doc = new PDDocument()) {
            for (int i = 1; i <= 12; i++) {
                PDPage page = new PDPage(PDRectangle.LETTER);
                doc.addPage(page);
                if (i == 5) {
                    continue;
                }
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.beginText();
                    cs.setFont(font, 11);
                    cs.setLeading(14);
                    cs.newLineAtOffset(150, 600);
                    cs.showText(i == 9 ? FACT : "Routine notes for week " + i + ": staffing and maintenance.");
                    cs.newLine();
                    cs.showText("Prepared by the operations office.");
                    cs.endText();
                }
            }
            doc.save(pdf.toFile());
        }
    }

    long ingested() throws Exception {
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(pdf.toString()));
        Map<String, SourceFile> in = IngestRuns.inputsByName(run.runId());
        return in.get("quarterly-notes.pdf").documentId;
    }

    @Test
    void ingestMeasuresInkAndEmbedsPassagesAndPlansAreStoredExactlyAsMade() throws Exception {
        long doc = ingested();
        List<Page> pages = QuarkusTransaction.requiringNew().call(() -> Page.ofDocument(doc));
        assertEquals(12, pages.size());
        Page blank = pages.get(4);
        assertEquals(Boolean.TRUE, blank.blank);
        assertNull(blank.inkX);
        Page fact = pages.get(8);
        assertEquals(Boolean.FALSE, fact.blank);
        assertTrue(fact.inkX > fact.widthPx / 5 && fact.inkWidth < fact.widthPx * 3 / 4, "ink box inside the margins: "
                + fact.inkX + "+" + fact.inkWidth + " of " + fact.widthPx);
        assertEquals(PassageEmbedder.MODEL, fact.embeddingModel);
        assertEquals(PassageEmbedder.DIMENSION * 4, fact.passageEmbeddings.length, "one passage");

        PlanService.Planned p = plans.plan(doc, "When did the Halvorsen merger close?", plans.settings());
        PromptPlan plan = p.plan();
        assertEquals(Strategy.SINGLE, plan.strategy());
        assertEquals(List.of(new PromptPlan.Skipped(5, "blank page (no ink)")), plan.skipped());
        assertEquals(11, plan.fullPages());
        PromptPlan.Item factImage = plan.prompts().getFirst().items().stream()
                .filter(i -> i.kind() == PromptPlan.Kind.PAGE && i.page() == 9).findFirst().orElseThrow();
        assertTrue(factImage.tokens() < plans.costs().imagePartTokens(fact.widthPx, fact.heightPx) / 3,
                "margins cropped: " + factImage.tokens() + " tokens");

        PromptPlanRecord stored = QuarkusTransaction.requiringNew().call(() -> PromptPlanRecord.findById(p.id()));
        assertEquals(plan, plans.read(stored), "the stored JSON is the plan");
        assertEquals("single", stored.strategy);
        assertEquals(plan.peakTokens(), stored.peakTokens);

        // The prompt assembled from the stored page images costs exactly what was planned.
        var parts = PromptAssembler.parts(plan.prompts().getFirst(),
                n -> blobs.image(pages.get(n - 1).imageSha256), List.of());
        int built = plans.costs().build(new GenerateRequest(null, parts, GenerationOptions.greedy(1))).tokens().length();
        assertEquals(plan.prompts().getFirst().promptTokens(), built);
    }

    @Test
    void aTightContextKeepsTheRelevantPageAtFullResolution() throws Exception {
        long doc = ingested();
        // Uncropped pages (~1000 tokens each) in a 4000-token context: thumbnails plus a few full pages.
        PlanSettings tight = new PlanSettings(Strategy.AUTO, 4000, 64, 32, 8, false, 0, true, null);
        PromptPlan plan = plans.plan(doc, "When did the Halvorsen merger close?", tight).plan();
        assertEquals(Strategy.MULTIGRANULAR, plan.strategy());
        assertTrue(plan.fullResolutionPages().contains(9), plan.fullResolutionPages().toString());
        assertTrue(plan.thumbnailPages() > 0);
        assertTrue(plan.peakTokens() <= 4000);
        PlanException e = assertThrows(PlanException.class,
                () -> plans.plan(doc, "Q?", tight.withStrategy(Strategy.SINGLE)));
        assertTrue(e.getMessage().startsWith("quarterly-notes.pdf: 11 pages need"), e.getMessage());
    }

    @Test
    void pagesIngestedWithoutInkOrEmbeddingsGetThemWhenFirstPlanned() throws Exception {
        long doc = ingested();
        QuarkusTransaction.requiringNew().run(() -> Page.update(
                "inkX = null, inkY = null, inkWidth = null, inkHeight = null, blank = null, passageEmbeddings = null, "
                        + "embeddingModel = null where documentId = ?1", doc));
        PromptPlan plan = plans.plan(doc, "When did the Halvorsen merger close?", plans.settings()).plan();
        assertEquals(List.of(5), plan.skipped().stream().map(PromptPlan.Skipped::page).toList());
        List<Page> pages = QuarkusTransaction.requiringNew().call(() -> Page.ofDocument(doc));
        assertTrue(pages.stream().allMatch(pg -> pg.blank != null && pg.passageEmbeddings != null));
    }
}
