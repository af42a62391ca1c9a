package dev.quire.ingestion;

import dev.quire.fixtures.Pdfs;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.ingestion.Inspection.Kind;
import dev.quire.ingestion.Inspection.Verdict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
    @TempDir
    Path tmp;
    final Inspector inspector = new Inspector(IngestLimits.defaults(64L << 20));

    Inspection inspect(Path p) throws IOException {
        return inspector.inspect(p, Fingerprint.of(p));
    }

    /** 14 pages of text, about 10 KB. */
    Path report() throws IOException {
        Path f = tmp.resolve("report-14.pdf");
        return Files.exists(f) ? f : Pdfs.report(f, 14, 1);
    }

    @Test
    void readablePdfIsAcceptedWithItsPageCount() throws IOException {
        Inspection i = inspect(report());
        assertEquals(Verdict.ACCEPTED, i.verdict());
        assertEquals(Kind.PDF, i.kind());
        assertEquals(14, i.pageCount());
        assertEquals(64, i.fingerprint().sha256().length());
    }

    @Test
    void typeComesFromContentNotTheFileName() throws IOException {
        Path disguised = tmp.resolve("notes.txt");
        Files.copy(report(), disguised);
        assertEquals("application/pdf", inspect(disguised).mediaType());
        Path text = tmp.resolve("report.pdf");
        Files.writeString(text, "just some words, not a PDF at all\n");
        Inspection i = inspect(text);
        assertEquals(Verdict.UNSUPPORTED, i.verdict());
        assertEquals("text/plain", i.mediaType());
        assertTrue(i.reason().startsWith("report.pdf: unsupported type text/plain"), i.reason());
    }

    @Test
    void emptyFileIsRejectedByName() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.pdf"));
        Inspection i = inspect(empty);
        assertEquals(Verdict.REJECTED, i.verdict());
        assertEquals("empty.pdf: empty file (0 bytes)", i.reason());
    }

    @Test
    void passwordProtectedPdfIsRejectedAsEncrypted() throws IOException {
        Path locked = tmp.resolve("locked.pdf");
        try (PDDocument doc = Loader.loadPDF(report().toFile())) {
            doc.setAllSecurityToBeRemoved(true);
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "user-secret", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(locked.toFile());
        }
        Inspection i = inspect(locked);
        assertEquals(Verdict.REJECTED, i.verdict());
        assertTrue(i.reason().startsWith("locked.pdf: encrypted"), i.reason());
    }

    @Test
    void ownerPasswordOnlyPdfOpensAndIsAccepted() throws IOException {
        Inspection i = inspect(Pdfs.encrypted(tmp.resolve("copy-protected.pdf"), ""));
        assertEquals(Verdict.ACCEPTED, i.verdict(), i.reason());
        assertEquals(1, i.pageCount());
    }

    @Test
    void truncatedPdfIsRejectedOrRecoveredNeverThrown() throws IOException {
        byte[] all = Files.readAllBytes(report());
        Path cut = tmp.resolve("cut.pdf");
        Files.write(cut, Arrays.copyOf(all, 2000));
        Inspection i = inspect(cut);
        assertEquals(Verdict.REJECTED, i.verdict(), "2000 bytes of the PDF hold no page tree");
        assertTrue(i.reason().startsWith("cut.pdf: "), i.reason());
    }

    @Test
    void damagedFilesGetThePinnedVerdict() throws IOException {
        // a header and an EOF marker only (as samples/ocrmypdf-invalid.pdf): no document
        Path invalid = Files.writeString(tmp.resolve("invalid.pdf"), "%PDF-1.4\n%%EOF\n");
        Inspection i = inspect(invalid);
        assertEquals(Verdict.REJECTED, i.verdict());
        assertTrue(i.reason().startsWith("invalid.pdf: "), i.reason());
        // a damaged content stream opens: its page fails later, at rendering
        Inspection d = inspect(Pdfs.damagedStream(tmp.resolve("damaged-stream.pdf")));
        assertEquals(Verdict.ACCEPTED, d.verdict(), d.reason());
        assertEquals(3, d.pageCount());
        // the cross-reference table pointing nowhere: PDFBox rebuilds it from the objects
        byte[] good = Files.readAllBytes(report());
        String text = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.lastIndexOf("startxref");
        Path xref = Files.write(tmp.resolve("bad-xref.pdf"), (text.substring(0, at) + "startxref\n999999\n%%EOF\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Inspection x = inspect(xref);
        assertEquals(Verdict.ACCEPTED, x.verdict(), x.reason());
        assertEquals(14, x.pageCount());
    }

    @Test
    void limitsRejectLargeAndLongFilesWithTheConfigKey() throws IOException {
        Inspector strict = new Inspector(new IngestLimits(1_000, 10, 1 << 20));
        Path big = report();
        Inspection i = strict.inspect(big, Fingerprint.of(big));
        assertEquals(Verdict.REJECTED, i.verdict());
        assertTrue(i.reason().contains("quire.ingest.max-bytes"), i.reason());
        Inspector fewPages = new Inspector(new IngestLimits(10_000_000, 10, 1 << 20));
        Inspection j = fewPages.inspect(big, Fingerprint.of(big));
        assertTrue(j.reason().contains("14 pages, over the limit of 10"), j.reason());
    }

    @Test
    void multiFrameTiffCountsFramesAndPngIsAnImage() throws IOException {
        Path tiff = tmp.resolve("scan.tif");
        ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(tiff.toFile())) {
            w.setOutput(out);
            w.prepareWriteSequence(null);
            for (int f = 0; f < 3; f++) {
                w.writeToSequence(new IIOImage(new BufferedImage(300, 200 + f, BufferedImage.TYPE_INT_RGB), null, null), null);
            }
            w.endWriteSequence();
        }
        Inspection i = inspect(tiff);
        assertEquals("image/tiff", i.mediaType());
        assertEquals(3, i.pageCount());
        Path png = tmp.resolve("pic");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        assertEquals(Kind.IMAGE, inspect(png).kind());
        Path badPng = tmp.resolve("bad.png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(badPng, Arrays.copyOf(bytes, 12)); // signature and a torn header
        Inspection bad = inspect(badPng);
        assertEquals(Verdict.REJECTED, bad.verdict());
        assertTrue(bad.reason().startsWith("bad.png: "), bad.reason());
    }
}
