package dev.quire.layout.render;

import dev.quire.fixtures.Pdfs;
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
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path dir;
    static java.nio.file.Path text;

    /** 14 Letter pages of 40 lines each, page 1 beginning "Trace-based compilation". */
    @org.junit.jupiter.api.BeforeAll
    static void pdfs() throws IOException {
        text = Pdfs.text(dir.resolve("text.pdf"), 14, i -> (i == 1 ? "Trace-based compilation of loops\n" : "")
                + java.util.stream.IntStream.range(0, 40).mapToObj(k -> "Line " + k + " of page " + i
                + " holds a few more words for the text layer.").collect(java.util.stream.Collectors.joining("\n")));
    }

    @Test
    void pagesRenderAtNativeResolutionWithWordBoxesOnInk() throws IOException {
        try (PageSource pdf = PageSource.open(text, "application/pdf", settings)) {
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
        try (PageSource pdf = PageSource.open(Pdfs.rotated(dir.resolve("rotated.pdf")), "application/pdf", settings)) {
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
        try (PageSource pdf = PageSource.open(Pdfs.poster(dir.resolve("poster.pdf")), "application/pdf", settings)) {
            RenderedPage p = pdf.render(0);
            assertTrue((long) p.image().getWidth() * p.image().getHeight() <= settings.maxPixels());
            assertTrue(p.fit().dpi() < 30, "A0 poster dpi " + p.fit().dpi());
        }
    }

    @Test
    void pageTimeoutCostsThePageWithAMessageNamingIt() throws IOException {
        RenderSettings hasty = new RenderSettings(settings.maxPixels(), 28, 28, settings.maxWidth(), settings.maxHeight(),
                Duration.ofNanos(1), settings.mainMemoryBytes(), Double.POSITIVE_INFINITY);
        try (PageSource pdf = PageSource.open(text, "application/pdf", hasty)) {
            IOException e = assertThrows(IOException.class, () -> pdf.render(2));
            assertTrue(e.getMessage().contains("page 3 of text.pdf"), e.getMessage());
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
        }
    }

    @Test
    void maxDpiCapsSmallPagesAndFixedDpiRendersExactly() throws IOException {
        try (PageSource pdf = PageSource.open(Pdfs.slides(dir.resolve("slides.pdf"), 3), "application/pdf", settings.withMaxDpi(100))) {
            RenderedPage p = pdf.render(0);
            assertEquals(100, p.fit().dpi(), 1e-9, "a 4:3 slide would get ~200 dpi from the budget alone");
        }
        try (PageSource pdf = PageSource.open(text, "application/pdf",
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
        try (PageSource pdf = PageSource.open(text, "application/pdf", settings)) {
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

    @Test
    void anImageThatCannotBeDecodedFailsThePageWithTheReason() throws Exception {
        byte[] garbage = new byte[4000];
        new java.util.Random(7).nextBytes(garbage);
        java.nio.file.Path broken = dir.resolve("broken-scan.pdf");
        java.nio.file.Files.write(broken, java.nio.file.Files.readAllBytes(Pdfs.jpxScan(dir.resolve("scan.pdf"))));
        // Replace the JPEG 2000 data with noise of the same kind of stream.
        try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(broken.toFile())) {
            var xobjects = doc.getPage(0).getResources().getXObjectNames();
            var image = (org.apache.pdfbox.cos.COSStream) doc.getPage(0).getResources().getXObject(xobjects.iterator().next())
                    .getCOSObject();
            try (var out = image.createRawOutputStream()) {
                out.write(garbage);
            }
            doc.save(dir.resolve("noise-scan.pdf").toFile());
        }
        try (PageSource pdf = PageSource.open(dir.resolve("noise-scan.pdf"), "application/pdf", settings)) {
            IOException e = assertThrows(IOException.class, () -> pdf.render(0), "never a silent white page");
            assertTrue(e.getMessage().startsWith("page 1 of noise-scan.pdf: 1 image(s) could not be decoded (900x1170 JPXDecode image:"),
                    e.getMessage());
        }
    }

    @Test
    void aStackOverflowInHostileNestingCostsOnlyThatPage() throws Exception {
        try (PageSource pdf = PageSource.open(Pdfs.recursivePattern(dir.resolve("recursive.pdf"), 1, 1), "application/pdf",
                settings)) {
            assertNotNull(pdf.render(0));
            IOException e = assertThrows(IOException.class, () -> pdf.render(1));
            assertTrue(e.getMessage().startsWith("page 2 of recursive.pdf: content nested too deeply"), e.getMessage());
            assertNotNull(pdf.render(2), "the document goes on after the overflow");
        }
    }

    @Test
    void wordsWithoutInkAreARenderingFailureNotABlankPage() throws Exception {
        java.nio.file.Path white = dir.resolve("white-text.pdf");
        try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument()) {
            var page = new org.apache.pdfbox.pdmodel.PDPage(org.apache.pdfbox.pdmodel.common.PDRectangle.A4);
            doc.addPage(page);
            try (var cs = new org.apache.pdfbox.pdmodel.PDPageContentStream(doc, page)) {
                cs.setNonStrokingColor(java.awt.Color.WHITE);
                cs.beginText();
                cs.setFont(new org.apache.pdfbox.pdmodel.font.PDType1Font(
                        org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA), 14);
                cs.newLineAtOffset(72, 700);
                cs.showText("Words that draw nothing");
                cs.endText();
            }
            doc.save(white.toFile());
        }
        try (PageSource pdf = PageSource.open(white, "application/pdf", settings)) {
            IOException e = assertThrows(IOException.class, () -> pdf.render(0));
            assertTrue(e.getMessage().contains("the text layer has 4 words but the rendered page has no ink"), e.getMessage());
        }
    }

    @Test
    void imageFramesHaveAPageTimeoutToo() throws Exception {
        java.nio.file.Path tiff = dir.resolve("frames.tiff");
        javax.imageio.ImageIO.write(Pdfs.scanImage(800, 1000, BufferedImage.TYPE_INT_RGB), "tiff", tiff.toFile());
        RenderSettings hasty = new RenderSettings(settings.maxPixels(), 28, 28, settings.maxWidth(), settings.maxHeight(),
                Duration.ofNanos(1), settings.mainMemoryBytes(), Double.POSITIVE_INFINITY);
        try (PageSource img = PageSource.open(tiff, "image/tiff", hasty)) {
            IOException e = assertThrows(IOException.class, () -> img.render(0));
            assertTrue(e.getMessage().contains("frame 1 of frames.tiff") && e.getMessage().contains("timeout"), e.getMessage());
        }
        try (PageSource img = PageSource.open(tiff, "image/tiff", settings)) {
            assertNotNull(img.render(0), "with time enough the frame renders");
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
