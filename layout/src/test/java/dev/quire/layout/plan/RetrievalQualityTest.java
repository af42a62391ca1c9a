package dev.quire.layout.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.layout.render.PageFit;
import dev.quire.layout.render.RenderSettings;
import dev.quire.layout.text.PageText;
import dev.quire.layout.text.WordStripper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Does the multigranular plan put the evidence page at full resolution? Synthetic 300-page reports (real PDFs;
 * text through the same {@link WordStripper} as ingest; passages embedded with MiniLM) with 12 facts each, asked
 * in the report's words and paraphrased. Prints recall at the default 128K context and at tighter budgets, and
 * the ranking's own recall@1/@5 and mean reciprocal rank.
 */
@Tag("slow")
class RetrievalQualityTest {
    @TempDir
    Path tmp;

    @Test
    void evidencePageIsAtFullResolutionForAtLeast95PercentOfQuestions() throws Exception {
        PassageEmbedder embedder = PassageEmbedder.shared();
        Planner planner = new Planner(DemoCosts.builder(), embedder::embedQuery);
        PageRanker ranker = new PageRanker();
        int[] contexts = {0, 65536, 32768};
        int[] hits = new int[contexts.length];
        int[] fullPages = new int[contexts.length];
        int questions = 0;
        int top1 = 0;
        int top5 = 0;
        double rr = 0;
        long planMicros = 0;
        for (int d = 0; d < 3; d++) {
            SyntheticReport.Doc doc = SyntheticReport.write(tmp.resolve("report-" + d + ".pdf"), 300, 12, 100 + d);
            List<PageInfo> pages = pages(doc.pdf(), embedder);
            for (SyntheticReport.Fact f : doc.facts()) {
                for (String q : List.of(f.question(), f.paraphrase())) {
                    questions++;
                    for (int c = 0; c < contexts.length; c++) {
                        PromptPlan plan = planner.plan(doc.pdf().getFileName().toString(), pages, q, List.of(),
                                PlanSettings.defaults().withContext(contexts[c]));
                        assertEquals(Strategy.MULTIGRANULAR, plan.strategy());
                        if (plan.fullResolutionPages().contains(f.page())) {
                            hits[c]++;
                        }
                        fullPages[c] += (int) plan.fullPages();
                        planMicros += c == 0 ? plan.planningMicros() : 0;
                    }
                    List<Integer> order = ranker.rank(q, embedder.embedQuery(q), pages).order();
                    int rank = order.indexOf(f.page()) + 1;
                    top1 += rank == 1 ? 1 : 0;
                    top5 += rank <= 5 ? 1 : 0;
                    rr += 1.0 / rank;
                }
            }
        }
        for (int c = 0; c < contexts.length; c++) {
            System.out.printf(Locale.ROOT, "retrieval: context %s: evidence page at full resolution in %d/%d questions (%.1f%%), %.1f full pages per plan%n",
                    contexts[c] == 0 ? "131072 (model)" : contexts[c], hits[c], questions, 100.0 * hits[c] / questions,
                    (double) fullPages[c] / questions);
        }
        System.out.printf(Locale.ROOT, "retrieval: ranking recall@1 %.1f%%, recall@5 %.1f%%, MRR %.3f, mean planning %.0f ms (300 pages)%n",
                100.0 * top1 / questions, 100.0 * top5 / questions, rr / questions, planMicros / 1000.0 / questions);
        assertTrue(hits[0] >= 0.95 * questions, hits[0] + "/" + questions);
    }

    static List<PageInfo> pages(Path pdf, PassageEmbedder embedder) throws Exception {
        RenderSettings settings = RenderSettings.moonVitDefaults();
        List<PageInfo> out = new ArrayList<>();
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            WordStripper stripper = new WordStripper(() -> { });
            for (int i = 0; i < doc.getNumberOfPages(); i++) {
                PDRectangle box = doc.getPage(i).getCropBox();
                PageFit fit = PageFit.fit(box.getWidth(), box.getHeight(), settings, Double.POSITIVE_INFINITY);
                PageText text = stripper.extract(doc, i, fit.scale());
                out.add(new PageInfo(i + 1, fit.width(), fit.height(), null, false, text.text(),
                        embedder.embedPage(text.text()), null));
            }
        }
        return out;
    }
}
