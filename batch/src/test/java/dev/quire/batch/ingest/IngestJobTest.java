package dev.quire.batch.ingest;

import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.ingest.IngestService;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.PageStatus;
import dev.quire.storage.ingest.IngestRun;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import dev.quire.vlm.image.ImageGeometry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class IngestJobTest {
    @Inject
    IngestService ingest;

    @Inject
    BlobStore blobs;

    @Inject
    RenderGeometry geometry;

    @Test
    void aFolderOfGoodAndBadInputsEndsWithARowAndAReasonForEveryFile() throws Exception {
        Path dir = Files.createTempDirectory("quire-ingest");
        Pdfs.report(dir.resolve("tracemonkey.pdf"), 14, 9001);
        Files.copy(Samples.file("ocrmypdf-invalid.pdf"), dir.resolve("ocrmypdf-invalid.pdf"));
        Pdfs.encrypted(dir.resolve("copy-protected.pdf"), "");
        Pdfs.rotated(dir.resolve("edgar-rotated90.pdf"));
        Pdfs.report(dir.resolve("kampo.pdf"), 2, 9002);
        Files.copy(dir.resolve("kampo.pdf"), Files.createDirectories(dir.resolve("nested")).resolve("kampo-copy.pdf"));
        Pdfs.jbig2Scan(dir.resolve("jbig2-scan.pdf"));
        Pdfs.recursivePattern(dir.resolve("hostile-pattern.pdf"), 1, 2);
        Files.createFile(dir.resolve("empty.pdf"));
        Files.writeString(dir.resolve("notes.txt"), "plain text is not a page\n");
        Path locked = dir.resolve("locked.pdf");
        Pdfs.encrypted(locked, "user");
        BufferedImage img = new BufferedImage(1200, 900, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(img, "png", dir.resolve("photo.png").toFile());
        byte[] png = Files.readAllBytes(dir.resolve("photo.png"));
        Files.write(dir.resolve("torn.png"), Arrays.copyOf(png, 12));
        ImageWriter tiff = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(dir.resolve("scan.tiff").toFile())) {
            tiff.setOutput(out);
            tiff.prepareWriteSequence(null);
            for (int f = 0; f < 2; f++) {
                tiff.writeToSequence(new IIOImage(new BufferedImage(600, 800, BufferedImage.TYPE_BYTE_GRAY), null, null), null);
            }
            tiff.endWriteSequence();
        }

        try (PDDocument doc = new PDDocument()) {
            for (int i = 0; i < 3; i++) {
                doc.addPage(new org.apache.pdfbox.pdmodel.PDPage(org.apache.pdfbox.pdmodel.common.PDRectangle.LETTER));
            }
            doc.getPage(1).setMediaBox(new org.apache.pdfbox.pdmodel.common.PDRectangle(0, 0, 0, 0));
            doc.save(dir.resolve("one-bad-page.pdf").toFile());
        }

        Path emptyFolder = Files.createDirectories(Files.createTempDirectory("quire-ingest-empty").resolve("empty-folder"));
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString(), dir + "/missing.pdf", emptyFolder.toString()));
        assertEquals(RunStatus.COMPLETED, ingest.progress(run.runId()).status());
        Map<String, SourceFile> in = IngestRuns.inputsByName(run.runId());
        assertEquals(17, in.size(), in.keySet().toString());
        assertEquals(InputStatus.REJECTED, in.get("empty-folder").status);
        assertTrue(in.get("empty-folder").reason.endsWith("empty-folder: folder has no files to ingest"), in.get("empty-folder").reason);
        assertEquals(InputStatus.READY, in.get("jbig2-scan.pdf").status, "a JBIG2 scan is decoded, not stored blank");
        assertEquals(InputStatus.PARTIAL, in.get("hostile-pattern.pdf").status, "a stack overflow costs one page");
        assertTrue(in.get("hostile-pattern.pdf").reason.contains("1 of 4 pages failed (page 2 of hostile-pattern.pdf: "
                + "content nested too deeply"), in.get("hostile-pattern.pdf").reason);
        assertEquals(InputStatus.PARTIAL, in.get("one-bad-page.pdf").status);
        assertTrue(in.get("one-bad-page.pdf").reason.startsWith("one-bad-page.pdf: 1 of 3 pages failed (page 2 of one-bad-page.pdf: "),
                in.get("one-bad-page.pdf").reason);
        assertEquals(InputStatus.READY, in.get("tracemonkey.pdf").status);
        assertEquals(InputStatus.READY, in.get("copy-protected.pdf").status, "owner-password-only PDFs open");
        assertEquals(InputStatus.READY, in.get("edgar-rotated90.pdf").status);
        assertEquals(InputStatus.REJECTED, in.get("ocrmypdf-invalid.pdf").status);
        assertTrue(in.get("ocrmypdf-invalid.pdf").reason.startsWith("ocrmypdf-invalid.pdf: "));
        assertEquals(InputStatus.REJECTED, in.get("empty.pdf").status);
        assertEquals("empty.pdf: empty file (0 bytes)", in.get("empty.pdf").reason);
        assertEquals(InputStatus.REJECTED, in.get("locked.pdf").status);
        assertTrue(in.get("locked.pdf").reason.contains("encrypted"), in.get("locked.pdf").reason);
        assertEquals(InputStatus.UNSUPPORTED, in.get("notes.txt").status);
        assertTrue(in.get("notes.txt").reason.contains("text/plain"));
        assertEquals(InputStatus.READY, in.get("photo.png").status);
        assertEquals(InputStatus.REJECTED, in.get("torn.png").status);
        assertEquals(InputStatus.READY, in.get("scan.tiff").status);
        assertEquals(InputStatus.REJECTED, in.get("missing.pdf").status);
        assertTrue(in.get("missing.pdf").reason.endsWith("missing.pdf: no such file or folder"));
        // kampo.pdf comes before nested/kampo-copy.pdf in input order: the first is processed, the second is its duplicate
        assertEquals(InputStatus.READY, in.get("kampo.pdf").status);
        assertEquals(InputStatus.DUPLICATE, in.get("kampo-copy.pdf").status);
        assertEquals(in.get("kampo.pdf").documentId, in.get("kampo-copy.pdf").documentId);

        QuarkusTransaction.requiringNew().run(() -> {
            Document trace = Document.findById(in.get("tracemonkey.pdf").documentId);
            assertEquals(DocumentStatus.READY, trace.status);
            assertEquals(14, trace.pageCount);
            assertEquals("application/pdf", trace.mediaType);
            assertTrue(blobs.contains(trace.originalBlob));
            List<Page> pages = Page.ofDocument(trace.id);
            assertEquals(14, pages.size());
            // native for the configured model (the demo: its preprocessor_config.json), and recorded as such
            ImageGeometry g = geometry.current().geometry();
            assertEquals(geometry.current().key(), trace.renderGeometry);
            for (Page p : pages) {
                assertEquals(PageStatus.OK, p.status);
                assertTrue(g.isNative(p.widthPx, p.heightPx), p.widthPx + "x" + p.heightPx);
                assertTrue(blobs.contains(p.imageSha256));
                assertFalse(p.words.isEmpty());
            }
            try {
                BufferedImage stored = blobs.image(pages.get(0).imageSha256);
                assertEquals(pages.get(0).widthPx, stored.getWidth());
                assertEquals(pages.get(0).heightPx, stored.getHeight());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertEquals(2, (long) Document.<Document>findById(in.get("scan.tiff").documentId).pageCount);
            Document torn = Document.findById(in.get("torn.png").documentId);
            assertEquals(DocumentStatus.REJECTED, torn.status);
            Document partial = Document.findById(in.get("one-bad-page.pdf").documentId);
            assertEquals(DocumentStatus.PARTIAL, partial.status);
            assertEquals(3, partial.pageCount);
            assertEquals(1, partial.pagesFailed);
            List<Page> pp = Page.ofDocument(partial.id);
            assertEquals(List.of(PageStatus.OK, PageStatus.FAILED, PageStatus.OK), pp.stream().map(x -> x.status).toList());
            assertTrue(pp.get(1).error.contains("no usable size"), pp.get(1).error);
            assertNull(pp.get(1).imageSha256);
        });
    }

    @Test
    void ingestingTheSameBytesAgainStoresNothingTwice() throws Exception {
        Path dir = Files.createTempDirectory("quire-dedupe");
        Pdfs.report(dir.resolve("korean-text-with-tables.pdf"), 2, 9003);
        Pdfs.report(dir.resolve("right_to_left_01.pdf"), 1, 9004);
        IngestService.Started first = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        Map<String, SourceFile> a = IngestRuns.inputsByName(first.runId());
        assertEquals(InputStatus.READY, a.get("korean-text-with-tables.pdf").status);
        long documents = QuarkusTransaction.requiringNew().call(() -> Document.count());
        long pages = QuarkusTransaction.requiringNew().call(() -> Page.count());

        IngestService.Started second = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        assertNotEquals(first.runId(), second.runId(), "a completed run is not resumed: the second is a new run");
        assertFalse(second.resumed());
        Map<String, SourceFile> b = IngestRuns.inputsByName(second.runId());
        assertEquals(InputStatus.DUPLICATE, b.get("korean-text-with-tables.pdf").status);
        assertEquals(InputStatus.DUPLICATE, b.get("right_to_left_01.pdf").status);
        assertEquals(a.get("right_to_left_01.pdf").documentId, b.get("right_to_left_01.pdf").documentId);
        assertEquals(documents, (long) QuarkusTransaction.requiringNew().call(() -> Document.count()));
        assertEquals(pages, (long) QuarkusTransaction.requiringNew().call(() -> Page.count()));
        assertEquals(RunStatus.COMPLETED, QuarkusTransaction.requiringNew()
                .call(() -> IngestRun.<IngestRun>findById(second.runId()).status));
    }

    @Inject
    IngestProgress live;

    @Test
    void libraryWarningsGoToTheLogFileAndAreSummarisedByFileNotPrinted() throws Exception {
        Path dir = Files.createTempDirectory("quire-ingest-log");
        Pdfs.damagedStream(dir.resolve("noisy-stream.pdf"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            dev.quire.batch.cli.IngestCommandAccess.run(ingest, live, List.of(dir.toString()));
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(printed.matches("(?s).*Library warnings while reading \\(details in .*\\.log\\):\n  noisy-stream\\.pdf: \\d+ × .*"),
                printed);
        String log = Files.readString(Path.of(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.log.file.path", String.class)));
        assertTrue(log.contains("[org.apa.pdf.") && log.contains("FlateFilter"), "PDFBox's messages are in the log file");
        java.util.logging.LogRecord pdfbox = new java.util.logging.LogRecord(java.util.logging.Level.WARNING, "glyph");
        pdfbox.setLoggerName("org.apache.pdfbox.pdmodel.font.PDType1Font");
        java.util.logging.LogRecord ours = new java.util.logging.LogRecord(java.util.logging.Level.WARNING, "ours");
        ours.setLoggerName("dev.quire.batch.ingest.RenderInput");
        dev.quire.batch.logging.ConsoleFilter console = new dev.quire.batch.logging.ConsoleFilter();
        assertFalse(console.isLoggable(pdfbox), "library noise stays off the console");
        assertTrue(console.isLoggable(ours), "Quire's own warnings reach it");
    }
}
