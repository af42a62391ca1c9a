package dev.quire.layout.render;

import dev.quire.fixtures.Corpus;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.layout.text.Word;
import dev.quire.vlm.image.ImageGeometry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PdfPageRendererTest {
    final RenderSettings settings = RenderSettings.moonVitDefaults();
    final ImageGeometry geometry = ImageGeometry.kimiVlInstruct();

    @Test
    void pagesRenderAtNativeResolutionWithWordBoxesOnInk() throws IOException {
        try (PageSource pdf = PageSource.open(Corpus.file("tracemonkey.pdf"), "application/pdf", settings)) {
            assertEquals(14, pdf.pageCount());
            RenderedPage p = pdf.render(0);
            assertEquals(1, p.pageNumber());
            assertEquals(612, p.sourceWidth(), 0.5);
            assertTrue(geometry.isNative(p.image().getWidth(), p.image().getHeight()));
            assertTrue(p.text().text().contains("Trace-based"), p.text().text().substring(0, 200));
            assertTrue(p.text().words().size() > 300, "words: " + p.text().words().size());
            int inked = 0;
            for (Word w : p.text().words()) {
                assertTrue(w.x0() >= 0 && w.y0() >= -2 && w.x1() <= p.image().getWidth() && w.y1() <= p.image().getHeight(),
                        "word box outside the page: " + w);
                if (hasInk(p.image(), w)) {
                    inked++;
                }
            }
            assertTrue(inked > 0.95 * p.text().words().size(), "only " + inked + " of " + p.text().words().size()
                    + " word boxes cover dark pixels: boxes are not in image coordinates");
        }
    }

    @Test
    void rotatedPageIsRenderedUprightInDisplayOrientation() throws IOException {
        try (PageSource pdf = PageSource.open(Corpus.file("edgar-rotated90.pdf"), "application/pdf", settings)) {
            RenderedPage p = pdf.render(0);
            assertEquals(90, p.rotation());
            assertEquals(792, p.sourceWidth(), 0.5, "a Letter page with /Rotate 90 displays landscape");
            assertTrue(p.image().getWidth() > p.image().getHeight());
            long inked = p.text().words().stream().filter(w -> hasInk(p.image(), w)).count();
            assertTrue(inked > 0.9 * p.text().words().size(), inked + " of " + p.text().words().size());
        }
    }

    @Test
    void hugePosterFitsTheBudget() throws IOException {
        try (PageSource pdf = PageSource.open(Corpus.file("modernposter-demo.pdf"), "application/pdf", settings)) {
            RenderedPage p = pdf.render(0);
            assertTrue((long) p.image().getWidth() * p.image().getHeight() <= settings.maxPixels());
            assertTrue(p.fit().dpi() < 30, "A0 poster dpi " + p.fit().dpi());
        }
    }

    @Test
    void pageTimeoutCostsThePageWithAMessageNamingIt() throws IOException {
        RenderSettings hasty = new RenderSettings(settings.maxPixels(), 28, 28, settings.maxWidth(), settings.maxHeight(),
                Duration.ofNanos(1), settings.mainMemoryBytes(), Double.POSITIVE_INFINITY);
        try (PageSource pdf = PageSource.open(Corpus.file("tracemonkey.pdf"), "application/pdf", hasty)) {
            IOException e = assertThrows(IOException.class, () -> pdf.render(2));
            assertTrue(e.getMessage().contains("page 3 of tracemonkey.pdf"), e.getMessage());
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
        }
    }

    @Test
    void maxDpiCapsSmallPagesAndFixedDpiRendersExactly() throws IOException {
        try (PageSource pdf = PageSource.open(Corpus.file("metropolis-demo.pdf"), "application/pdf", settings.withMaxDpi(100))) {
            RenderedPage p = pdf.render(0);
            assertEquals(100, p.fit().dpi(), 1e-9, "a 4:3 slide would get ~200 dpi from the budget alone");
        }
        try (PageSource pdf = PageSource.open(Corpus.file("tracemonkey.pdf"), "application/pdf",
                RenderSettings.fixedDpi(144, Duration.ofSeconds(30)))) {
            RenderedPage p = pdf.render(0);
            assertEquals(1224, p.image().getWidth(), "Letter at 144 dpi");
            assertEquals(1584, p.image().getHeight());
        }
    }

    @Test
    void aMalformedPageCostsOnlyThatPage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws IOException {
        java.nio.file.Path file = tmp.resolve("three-pages.pdf");
        try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument()) {
            for (int i = 0; i < 3; i++) {
                doc.addPage(new org.apache.pdfbox.pdmodel.PDPage(org.apache.pdfbox.pdmodel.common.PDRectangle.A4));
            }
            doc.getPage(1).setMediaBox(new org.apache.pdfbox.pdmodel.common.PDRectangle(0, 0, 0, 0));
            doc.save(file.toFile());
        }
        try (PageSource pdf = PageSource.open(file, "application/pdf", settings)) {
            assertEquals(3, pdf.pageCount());
            assertNotNull(pdf.render(0));
            IOException e = assertThrows(IOException.class, () -> pdf.render(1));
            assertTrue(e.getMessage().startsWith("page 2 of three-pages.pdf: "), e.getMessage());
            assertNotNull(pdf.render(2), "the renderer goes on after a bad page");
        }
    }

    @Test
    void pngIsLosslessAndDecodesToTheSamePixels() throws IOException {
        try (PageSource pdf = PageSource.open(Corpus.file("kampo.pdf"), "application/pdf", settings)) {
            BufferedImage img = pdf.render(0).image();
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(PagePng.encode(img)));
            assertEquals(img.getWidth(), back.getWidth());
            for (int y = 0; y < img.getHeight(); y += 7) {
                for (int x = 0; x < img.getWidth(); x += 5) {
                    assertEquals(img.getRGB(x, y), back.getRGB(x, y));
                }
            }
        }
    }

    static boolean hasInk(BufferedImage img, Word w) {
        for (int y = Math.max(0, w.y0()); y < Math.min(img.getHeight(), w.y1()); y++) {
            for (int x = Math.max(0, w.x0()); x < Math.min(img.getWidth(), w.x1()); x++) {
                int rgb = img.getRGB(x, y);
                int lum = ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
                if (lum < 3 * 128) {
                    return true;
                }
            }
        }
        return false;
    }
}
