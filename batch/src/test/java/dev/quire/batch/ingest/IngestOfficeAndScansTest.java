package dev.quire.batch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.batch.QuireConfig;
import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.OfficeFiles;
import dev.quire.fixtures.Samples;
import dev.quire.ingestion.office.OfficeConverter;
import dev.quire.layout.text.Grounding;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.TextSource;
import dev.quire.storage.document.WordBox;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Office files and scans through a whole ingest run, with real LibreOffice and Tesseract: page counts, text, the
 * converted PDF kept beside the original, OCR words marked with their confidence, the run's counts, and a file on
 * which the converter hangs (a stand-in for LibreOffice on that one file) rejected while the run completes.
 */
@Tag("slow")
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@TestProfile(IngestOfficeAndScansTest.OfficeAndOcr.class)
class IngestOfficeAndScansTest {
    public static class OfficeAndOcr implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quire.ocr.mode", "auto", "quire.convert.timeout", "15s", "quire.ingest.embed-passages", "false");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(HangOnSomeFiles.class);
        }
    }

    /** The real LibreOffice, except that a file named {@code hang*} never finishes until the converter is restarted. */
    @Alternative
    @Priority(1)
    @Singleton
    public static class HangOnSomeFiles extends Converters {
        static volatile int restarts;

        public HangOnSomeFiles(QuireConfig config) {
            super(config);
        }

        @Override
        protected OfficeConverter officeConverter(int processes, Duration timeout) {
            OfficeConverter real = super.officeConverter(processes, timeout);
            return new OfficeConverter() {
                volatile CountDownLatch killed = new CountDownLatch(1);

                @Override
                public void start() throws IOException {
                    real.start();
                }

                @Override
                public void convert(Path source, Path pdf) throws IOException {
                    if (source.getFileName().toString().startsWith("hang")) {
                        CountDownLatch k = killed;
                        while (k.getCount() > 0) {
                            try {
                                k.await();
                            } catch (InterruptedException e) {
                                // like a hung soffice: only a restart ends it
                            }
                        }
                        throw new IOException("office process killed");
                    }
                    real.convert(source, pdf);
                }

                @Override
                public void restart() {
                    restarts++;
                    CountDownLatch k = killed;
                    killed = new CountDownLatch(1);
                    k.countDown();
                    real.restart();
                }

                @Override
                public void close() {
                    real.close();
                }

                @Override
                public String toString() {
                    return real + " (hangs on hang*)";
                }
            };
        }
    }

    @Inject
    IngestService ingest;

    @Inject
    BlobStore blobs;

    @Inject
    dev.quire.web.auth.Users users;

    @Test
    void officeFilesAndScansBecomePagesWithTextAndTheRunCompletesPastAHungConversion() throws Exception {
        Path dir = Files.createTempDirectory("quire-office");
        OfficeFiles.docx(dir.resolve("report.docx"), 3);
        OfficeFiles.pptx(dir.resolve("deck.pptx"), 3);
        OfficeFiles.xlsx(dir.resolve("book.xlsx"));
        OfficeFiles.odt(dir.resolve("note.odt"));
        OfficeFiles.corruptDocx(dir.resolve("broken.docx"));
        OfficeFiles.encryptedDocx(dir.resolve("secret.docx"), "hunter2");
        OfficeFiles.docx(dir.resolve("hang.docx"), 2);
        Files.copy(Samples.file("multipage-scan.pdf"), dir.resolve("multipage-scan.pdf"));

        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        assertEquals(RunStatus.COMPLETED, ingest.progress(run.runId()).status());
        Map<String, SourceFile> in = IngestRuns.inputsByName(run.runId());
        assertEquals(8, in.size());
        for (String ok : List.of("report.docx", "deck.pptx", "book.xlsx", "note.odt", "multipage-scan.pdf")) {
            assertEquals(InputStatus.READY, in.get(ok).status, ok + ": " + in.get(ok).reason);
        }
        assertEquals(InputStatus.REJECTED, in.get("broken.docx").status);
        assertTrue(in.get("broken.docx").reason.startsWith("broken.docx: conversion to PDF failed"), in.get("broken.docx").reason);
        assertEquals(InputStatus.REJECTED, in.get("secret.docx").status);
        assertTrue(in.get("secret.docx").reason.contains("password-protected"), in.get("secret.docx").reason);
        assertEquals(InputStatus.REJECTED, in.get("hang.docx").status);
        assertEquals("hang.docx: conversion to PDF did not finish within 15 s (quire.convert.timeout); the converter "
                + "was restarted", in.get("hang.docx").reason);
        assertTrue(HangOnSomeFiles.restarts >= 1);

        QuarkusTransaction.requiringNew().run(() -> {
            Document report = Document.findById(in.get("report.docx").documentId);
            assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document", report.mediaType);
            assertEquals(3, report.pageCount);
            assertNotNull(report.convertedBlob);
            assertTrue(blobs.contains(report.originalBlob) && blobs.contains(report.convertedBlob));
            try (PDDocument pdf = Loader.loadPDF(blobs.open(report.convertedBlob).readAllBytes())) {
                assertEquals(3, pdf.getNumberOfPages(), "the converted PDF is kept, linked to the original");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            List<Page> pages = Page.ofDocument(report.id);
            assertTrue(pages.get(0).text.contains(OfficeFiles.DOCX_HEADING), pages.get(0).text);
            assertTrue(pages.get(0).text.contains("48000"), pages.get(0).text);
            assertEquals(TextSource.TEXT_LAYER, pages.get(0).textSource);
            assertNull(pages.get(0).words.getFirst().c(), "text-layer words carry no OCR confidence");
            for (int i = 0; i < 3; i++) {
                assertTrue(pages.get(i).text.contains("marigold" + (i + 1)), pages.get(i).text);
            }
            assertEquals(3, (int) Document.<Document>findById(in.get("deck.pptx").documentId).pageCount);
            List<Page> sheets = Page.ofDocument(in.get("book.xlsx").documentId);
            assertEquals(2, sheets.size());
            assertTrue(sheets.get(1).text.contains("Staff row 4"), sheets.get(1).text);

            Document scan = Document.findById(in.get("multipage-scan.pdf").documentId);
            assertNull(scan.convertedBlob);
            List<Page> scanned = Page.ofDocument(scan.id);
            assertEquals(TextSource.TEXT_LAYER, scanned.get(3).textSource, "page 4 keeps its own text layer");
            for (int i : new int[] {0, 4, 5}) {
                Page p = scanned.get(i);
                assertEquals(TextSource.OCR, p.textSource, "page " + (i + 1));
                assertTrue(p.ocrMs != null && p.ocrMs > 0);
                assertTrue(p.words.size() > 100, "page " + (i + 1) + ": " + p.words.size() + " words");
                for (WordBox w : p.words) {
                    assertTrue(w.c() != null && w.c() >= 0 && w.c() <= 100, w.toString());
                    assertTrue(w.x1() <= p.contentWidthPx && w.y1() <= p.contentHeightPx, w + " inside the page image");
                }
            }
            Page dickens = scanned.get(4);
            Grounding.Result g = new Grounding().check("one thousand seven hundred and seventy-five",
                    List.of(new Grounding.PageWords(5, dickens.words.stream().map(WordBox::t).toList())));
            assertTrue(g.grounded(), "grounding reads OCR words: " + g.reason());
        });
        // the review UI's API says where each page's text came from, and that a document was converted
        var reviewer = dev.quire.batch.testing.WebSession.signIn(users, "office-reviewer", "reviewer");
        reviewer.given().get("/api/documents/" + in.get("multipage-scan.pdf").documentId).then().statusCode(200)
                .body("pages[0].textSource", org.hamcrest.Matchers.equalTo("OCR"))
                .body("pages[3].textSource", org.hamcrest.Matchers.equalTo("TEXT_LAYER"))
                .body("document.converted", org.hamcrest.Matchers.equalTo(false));
        reviewer.given().get("/api/documents/" + in.get("report.docx").documentId).then().statusCode(200)
                .body("document.converted", org.hamcrest.Matchers.equalTo(true))
                .body("pages[0].textSource", org.hamcrest.Matchers.equalTo("TEXT_LAYER"));
        IngestService.TextCounts counts = ingest.textCounts(run.runId());
        assertEquals(4, counts.convertedFiles());
        long expectedOcr = QuarkusTransaction.requiringNew().call(() -> Page.count("textSource", TextSource.OCR));
        assertTrue(counts.ocrPages() >= 3 && counts.ocrPages() <= expectedOcr, counts.toString());
    }
}
