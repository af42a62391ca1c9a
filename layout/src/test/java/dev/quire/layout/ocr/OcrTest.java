package dev.quire.layout.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import dev.quire.layout.plan.PageInfo;
import dev.quire.layout.plan.PageRanker;
import dev.quire.layout.plan.PassageEmbedder;
import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderSettings;
import dev.quire.layout.render.RenderedPage;
import dev.quire.layout.text.Grounding;
import dev.quire.layout.text.PageText;
import dev.quire.layout.text.Word;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tesseract on scans: word recall against the known text, boxes in page-image pixels, and retrieval of a scan. */
class OcrTest {
    static final RenderSettings SETTINGS = RenderSettings.moonVitDefaults();
    /** Opening of A Tale of Two Cities, as printed on pages 5 and 6 of samples/multipage-scan.pdf. */
    static final String DICKENS = "with a plain face, on the throne of England; there were a king with a large jaw and a "
            + "queen with a fair face, on the throne of France. In both countries it was clearer than crystal to the lords "
            + "of the State preserves of loaves and fishes, that things in general were settled for ever. It was the year "
            + "of Our Lord one thousand seven hundred and seventy-five.";
    /** Huckleberry Finn, chapter 2, as printed on page 1 of samples/multipage-scan.pdf. */
    static final String TWAIN = "along a path amongst the trees back towards the end of the widow's garden, stooping down "
            + "so as the branches wouldn't scrape our heads. When we was passing by the kitchen I fell over a root and made "
            + "a noise. We scrouched down and laid still.";
    static final String[] GENERATED = {
            "The harbour authority approved the new pier in March. Construction of the pier will cost four million "
                    + "dollars and employ ninety workers.",
            "Invoice number 4471 covers twelve crates of copper wire delivered to the Lisbon warehouse on Tuesday.",
    };

    static PageOcr ocr;

    @TempDir
    Path dir;

    @BeforeAll
    static void tesseract() {
        assertNull(Tesseract.unavailable("eng"), "the OCR tests need Tesseract (run-tests installs it)");
        ocr = new PageOcr(Tesseract.of("eng", Duration.ofSeconds(120)), OcrMode.AUTO);
    }

    /** Share of the known text's words (lower-case letter/digit runs, as a multiset) that OCR found on the page. */
    static double recall(String known, PageText ocrText) {
        Map<String, Integer> found = new HashMap<>();
        for (String w : tokens(ocrText.text())) {
            found.merge(w, 1, Integer::sum);
        }
        List<String> want = tokens(known);
        int hit = 0;
        for (String w : want) {
            Integer n = found.get(w);
            if (n != null && n > 0) {
                hit++;
                found.put(w, n - 1);
            }
        }
        return (double) hit / want.size();
    }

    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        for (String t : s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** An image-only PDF: each page a 200 dpi greyscale picture of its text (no text layer). */
    static Path imageOnlyPdf(Path file, String[] pages) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            for (String text : pages) {
                int w = 1700;
                int h = 2200;
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                Graphics2D g = img.createGraphics();
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, w, h);
                g.setColor(Color.BLACK);
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setFont(new Font(Font.SERIF, Font.PLAIN, 40));
                int y = 250;
                StringBuilder line = new StringBuilder();
                for (String word : text.split(" ")) {
                    if (g.getFontMetrics().stringWidth(line + " " + word) > w - 400) {
                        g.drawString(line.toString(), 200, y);
                        y += 60;
                        line.setLength(0);
                    }
                    line.append(line.isEmpty() ? "" : " ").append(word);
                }
                g.drawString(line.toString(), 200, y);
                g.dispose();
                PDPage page = new PDPage(PDRectangle.LETTER);
                doc.addPage(page);
                PDImageXObject x = LosslessFactory.createFromImage(doc, img);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.drawImage(x, 0, 0, PDRectangle.LETTER.getWidth(), PDRectangle.LETTER.getHeight());
                }
            }
            doc.save(file.toFile());
        }
        return file;
    }

    @Test
    void generatedImageOnlyPagesAreReadWithHighRecallAndBoxesInPageImagePixels() throws IOException {
        Path pdf = imageOnlyPdf(dir.resolve("scan.pdf"), GENERATED);
        try (PageSource source = PageSource.open(pdf, "application/pdf", SETTINGS)) {
            for (int i = 0; i < GENERATED.length; i++) {
                RenderedPage page = source.render(i);
                assertTrue(page.text().words().isEmpty(), "an image-only page has no text layer");
                assertTrue(ocr.wants(page));
                PageOcr.Result r = ocr.recognize(source, i, page);
                double recall = recall(GENERATED[i], r.text());
                System.out.printf(Locale.ROOT, "OCR recall, generated page %d: %.3f (%d words, mean confidence %.1f)%n",
                        i + 1, recall, r.text().words().size(),
                        r.confidences().stream().mapToDouble(Float::doubleValue).average().orElse(0));
                assertTrue(recall >= 0.95, "recall " + recall + ": " + r.text().text());
                assertEquals(r.text().words().size(), r.confidences().size());
                for (Word w : r.text().words()) {
                    assertTrue(w.x0() >= 0 && w.x1() <= page.fit().contentWidth() && w.x0() < w.x1(), w.toString());
                    assertTrue(w.y0() >= 0 && w.y1() <= page.fit().contentHeight() && w.y0() < w.y1(), w.toString());
                }
                // the text starts 200 px of 1700 from the left edge and 250 − ascent of 2200 from the top
                Word first = r.text().words().getFirst();
                assertEquals(200.0 / 1700 * page.fit().contentWidth(), first.x0(), 0.02 * page.fit().contentWidth());
                assertEquals(218.0 / 2200 * page.fit().contentHeight(), first.y0(), 0.02 * page.fit().contentHeight());
                // grounding reads OCR words as it reads text-layer words
                Grounding.Result g = new Grounding().check(i == 0 ? "four million dollars" : "4471",
                        List.of(new Grounding.PageWords(i + 1, r.text().words().stream().map(Word::text).toList())));
                assertTrue(g.grounded(), g.reason());
            }
        }
    }

    @Test
    void multipageScanSampleIsOcrdWhereItHasNoTextLayerWithRecallAboveTheFloor() throws IOException {
        Path pdf = Samples.file("multipage-scan.pdf");
        Map<Integer, String> known = Map.of(1, TWAIN, 5, DICKENS, 6, DICKENS);
        Map<Integer, Double> floor = Map.of(1, 0.9, 5, 0.9, 6, 0.9);
        try (PageSource source = PageSource.open(pdf, "application/pdf", SETTINGS)) {
            for (int i = 0; i < source.pageCount(); i++) {
                RenderedPage page = source.render(i);
                if (i == 3) {
                    // page 4 carries OCRmyPDF's invisible text layer: auto mode keeps it
                    assertFalse(ocr.wants(page), "page 4 has a usable text layer");
                    continue;
                }
                assertTrue(ocr.wants(page), "page " + (i + 1) + " has no text layer");
                String want = known.get(i + 1);
                if (want == null) {
                    continue;
                }
                PageOcr.Result r = ocr.recognize(source, i, page);
                double recall = recall(want, r.text());
                System.out.printf(Locale.ROOT, "OCR recall, multipage-scan.pdf page %d: %.3f (floor %.2f, %d words)%n",
                        i + 1, recall, floor.get(i + 1), r.text().words().size());
                assertTrue(recall >= floor.get(i + 1), "page " + (i + 1) + " recall " + recall + ": " + r.text().text());
            }
        }
    }

    @Test
    void aScannedEvidencePageRanksFirstOnItsOcrWords() throws IOException {
        Path text = Pdfs.report(dir.resolve("report.pdf"), 4, 15);
        Path scan = imageOnlyPdf(dir.resolve("scan.pdf"), new String[] {GENERATED[1]});
        PassageEmbedder embedder = PassageEmbedder.shared();
        List<PageInfo> pages = new ArrayList<>();
        try (PageSource source = PageSource.open(text, "application/pdf", SETTINGS)) {
            for (int i = 0; i < source.pageCount(); i++) {
                RenderedPage p = source.render(i);
                pages.add(new PageInfo(i + 1, p.fit().width(), p.fit().height(), null, false, p.text().text(),
                        embedder.embedPage(p.text().text()), null));
            }
        }
        try (PageSource source = PageSource.open(scan, "application/pdf", SETTINGS)) {
            RenderedPage p = source.render(0);
            String ocrText = ocr.recognize(source, 0, p).text().text();
            pages.add(2, new PageInfo(3, p.fit().width(), p.fit().height(), null, false, ocrText,
                    embedder.embedPage(ocrText), null));
        }
        for (int i = 0; i < pages.size(); i++) {
            PageInfo q = pages.get(i);
            pages.set(i, new PageInfo(i + 1, q.width(), q.height(), q.ink(), q.blank(), q.text(), q.passages(), null));
        }
        String question = "How many crates of copper wire were delivered to the Lisbon warehouse?";
        PageRanker.Ranking ranking = new PageRanker().rank(question, embedder.embedQuery(question), pages);
        assertEquals(3, ranking.order().getFirst(), "the scanned page (3) answers it: " + ranking);
    }
}
