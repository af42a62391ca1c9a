package dev.quire.ingestion.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.fixtures.OfficeFiles;
import dev.quire.ingestion.Fingerprint;
import dev.quire.ingestion.IngestLimits;
import dev.quire.ingestion.Inspection;
import dev.quire.ingestion.Inspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Office files are told apart by content (the names here all end in .bin) and reported with their real type. */
class OfficeDetectionTest {
    @TempDir
    Path dir;

    final Inspector converting = new Inspector(IngestLimits.defaults(64L << 20), null);
    final Inspector plain = new Inspector(IngestLimits.defaults(64L << 20), "LibreOffice is not installed (apt-get install x)");

    private Inspection inspect(Inspector inspector, Path f) throws IOException {
        return inspector.inspect(f, Fingerprint.of(f));
    }

    private void detects(Path f, String type) throws IOException {
        Inspection i = inspect(converting, f);
        assertEquals(type, i.mediaType(), f.toString());
        assertEquals(Inspection.Verdict.ACCEPTED, i.verdict(), f + ": " + i.reason());
        assertEquals(Inspection.Kind.OFFICE, i.kind());
    }

    @Test
    void everyOfficeFormatIsDetectedFromItsContentWithItsRealType() throws IOException {
        detects(OfficeFiles.docx(dir.resolve("a.bin"), 2), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        detects(OfficeFiles.pptx(dir.resolve("b.bin"), 3), "application/vnd.openxmlformats-officedocument.presentationml.presentation");
        detects(OfficeFiles.xlsx(dir.resolve("c.bin")), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        detects(OfficeFiles.xls(dir.resolve("d.bin")), "application/vnd.ms-excel");
        detects(OfficeFiles.ppt(dir.resolve("e.bin"), 2), "application/vnd.ms-powerpoint");
        detects(OfficeFiles.rtf(dir.resolve("f.bin")), "application/rtf");
        detects(OfficeFiles.odt(dir.resolve("g.bin")), "application/vnd.oasis.opendocument.text");
    }

    @Test
    void passwordProtectedOfficeFileIsRejectedSayingSo() throws IOException {
        Inspection i = inspect(converting, OfficeFiles.encryptedDocx(dir.resolve("secret.docx"), "hunter2"));
        assertEquals(Inspection.Verdict.REJECTED, i.verdict());
        assertTrue(i.reason().startsWith("secret.docx: password-protected Office file"), i.reason());
    }

    @Test
    void withoutLibreOfficeOfficeFilesAreUnsupportedWithTheWayToInstallIt() throws IOException {
        Path f = OfficeFiles.docx(dir.resolve("memo.docx"), 1);
        Inspection i = inspect(plain, f);
        assertEquals(Inspection.Verdict.UNSUPPORTED, i.verdict());
        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document", i.mediaType());
        assertTrue(i.reason().contains("DOCX") && i.reason().contains("apt-get install"), i.reason());
    }

    @Test
    void plainZipIsNotTakenForAnOfficeFile() throws IOException {
        Path zip = dir.resolve("x.bin");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            out.write("hello".getBytes());
        }
        Inspection i = inspect(converting, zip);
        assertEquals(Inspection.Verdict.UNSUPPORTED, i.verdict());
        assertEquals("application/zip", i.mediaType());
    }
}
