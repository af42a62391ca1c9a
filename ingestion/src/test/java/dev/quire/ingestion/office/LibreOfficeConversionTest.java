package dev.quire.ingestion.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quire.fixtures.OfficeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real LibreOffice (Debian's headless packages) through JODConverter; one office process for the whole class. */
@Tag("slow")
class LibreOfficeConversionTest {
    static OfficeConversions conversions;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        var lo = LibreOffice.installed(1, Duration.ofSeconds(60));
        assumeTrue(lo.isPresent(), "LibreOffice is not installed: " + LibreOffice.INSTALL_HINT);
        conversions = new OfficeConversions(lo.get(), 1, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (conversions != null) {
            conversions.close();
        }
    }

    private record Pdf(int pages, String text, String[] pageTexts) {
    }

    private Pdf convert(Path source) throws IOException {
        OfficeConversions.Result r = conversions.convert(source, source.getFileName().toString(), dir);
        assertTrue(r.ok(), r.error());
        try (PDDocument doc = Loader.loadPDF(r.pdf().toFile())) {
            PDFTextStripper s = new PDFTextStripper();
            String[] pages = new String[doc.getNumberOfPages()];
            for (int i = 0; i < pages.length; i++) {
                s.setStartPage(i + 1);
                s.setEndPage(i + 1);
                pages[i] = s.getText(doc);
            }
            return new Pdf(pages.length, String.join("\n", pages), pages);
        }
    }

    @Test
    void docxWithHeadingTableAndPageBreaksBecomesOnePdfPagePerPage() throws IOException {
        Pdf pdf = convert(OfficeFiles.docx(dir.resolve("report.docx"), 3));
        assertEquals(3, pdf.pages());
        assertTrue(pdf.pageTexts()[0].contains(OfficeFiles.DOCX_HEADING), pdf.pageTexts()[0]);
        assertTrue(pdf.pageTexts()[0].contains("Revenue") && pdf.pageTexts()[0].contains("48000"), pdf.pageTexts()[0]);
        for (int i = 1; i <= 3; i++) {
            assertTrue(pdf.pageTexts()[i - 1].contains("marigold" + i), "page " + i + ": " + pdf.pageTexts()[i - 1]);
        }
    }

    @Test
    void pptxWithThreeSlidesBecomesThreePages() throws IOException {
        Pdf pdf = convert(OfficeFiles.pptx(dir.resolve("deck.pptx"), 3));
        assertEquals(3, pdf.pages());
        for (int i = 1; i <= 3; i++) {
            assertTrue(pdf.pageTexts()[i - 1].contains("saffron" + i), "slide " + i + ": " + pdf.pageTexts()[i - 1]);
        }
    }

    @Test
    void xlsxWithTwoSheetsShowsBothSheets() throws IOException {
        Pdf pdf = convert(OfficeFiles.xlsx(dir.resolve("book.xlsx")));
        assertEquals(2, pdf.pages(), pdf.text());
        assertTrue(pdf.pageTexts()[0].contains("Budget row 4"), pdf.pageTexts()[0]);
        assertTrue(pdf.pageTexts()[1].contains("Staff row 4"), pdf.pageTexts()[1]);
    }

    @Test
    void corruptDocxFailsWithTheReasonAndTheConverterGoesOn() throws IOException {
        Path bad = OfficeFiles.corruptDocx(dir.resolve("broken.docx"));
        OfficeConversions.Result r = conversions.convert(bad, "broken.docx", dir);
        assertFalse(r.ok());
        assertTrue(r.error().startsWith("broken.docx: conversion to PDF failed"), r.error());
        assertEquals(1, convert(OfficeFiles.rtf(dir.resolve("after.rtf"))).pages());
    }
}
