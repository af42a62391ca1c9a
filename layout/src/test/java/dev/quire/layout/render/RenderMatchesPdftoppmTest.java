package dev.quire.layout.render;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.fixtures.Pdfs;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quire's page images look like poppler's on PDFs the tests make: text, a rotated page, and scans whose images are
 * JBIG2 (bitonal) and JPEG 2000 (archival), and Japanese text in a font that is not embedded. Without the JBIG2 and
 * JPEG 2000 decoders or a CJK substitute font, PDFBox draws nothing there and the comparison fails. Needs pdftoppm
 * (Debian poppler-utils) and a CJK font (fonts-ipafont-gothic); ./run-tests and .ci/run install both.
 */
class RenderMatchesPdftoppmTest {
    @TempDir
    Path tmp;

    /** Mean |Δluma| and the share of pixels off by more than 128, over the page's content. */
    static double[] compare(BufferedImage ours, int w, int h, BufferedImage poppler) {
        int cw = Math.min(w, poppler.getWidth());
        int ch = Math.min(h, poppler.getHeight());
        double sum = 0;
        long far = 0;
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int d = Math.abs(RenderCorpusTest.luma(ours.getRGB(x, y)) - RenderCorpusTest.luma(poppler.getRGB(x, y)));
                sum += d;
                far += d > 128 ? 1 : 0;
            }
        }
        return new double[] {sum / ((double) cw * ch), (double) far / ((double) cw * ch)};
    }

    void assertLikePoppler(Path pdf, double maxMean) throws Exception {
        try (PdfPageRenderer r = PdfPageRenderer.open(pdf, RenderSettings.fixedDpi(72, Duration.ofSeconds(60)))) {
            RenderedPage page = r.render(0);
            assertTrue(InkBox.find(page.image()).isPresent(), pdf.getFileName() + " rendered without ink");
            BufferedImage poppler = RenderCorpusTest.pdftoppm(tmp, pdf, 72);
            assertTrue(Math.abs(poppler.getWidth() - page.fit().contentWidth()) <= 2
                    && Math.abs(poppler.getHeight() - page.fit().contentHeight()) <= 2, pdf.getFileName() + ": size");
            double[] d = compare(page.image(), page.fit().contentWidth(), page.fit().contentHeight(), poppler);
            System.out.printf(Locale.ROOT, "%s vs pdftoppm: mean |Δluma| %.2f, %.3f%% far%n", pdf.getFileName(), d[0], 100 * d[1]);
            assertTrue(d[0] < maxMean && d[1] < 0.05, String.format(Locale.ROOT,
                    "%s differs from pdftoppm: mean |Δluma| %.1f, %.2f%% of pixels off by > 128", pdf.getFileName(), d[0],
                    100 * d[1]));
        }
    }

    @Test
    void textAndRotatedPagesMatchPoppler() throws Exception {
        assertLikePoppler(Pdfs.report(tmp.resolve("report.pdf"), 1, 3), 15);
        assertLikePoppler(Pdfs.rotated(tmp.resolve("rotated.pdf")), 15);
    }

    @Test
    void jbig2ScanIsDecodedLikePoppler() throws Exception {
        assertLikePoppler(Pdfs.jbig2Scan(tmp.resolve("jbig2.pdf")), 15);
    }

    @Test
    void jpeg2000ScanIsDecodedLikePoppler() throws Exception {
        assertLikePoppler(Pdfs.jpxScan(tmp.resolve("jpx.pdf")), 15);
    }

    @Test
    void japaneseInANonEmbeddedFontIsDrawnWithASubstituteLikePoppler() throws Exception {
        Path pdf = Pdfs.cjkNotEmbedded(tmp.resolve("cjk.pdf"));
        assertLikePoppler(pdf, 15);
        try (PdfPageRenderer r = PdfPageRenderer.open(pdf, RenderSettings.moonVitDefaults())) {
            assertTrue(r.render(0).text().text().contains(Pdfs.JAPANESE), "Shift-JIS text is extracted as Unicode");
        }
    }
}
