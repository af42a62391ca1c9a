package dev.quire.ingestion.office;

import java.util.Map;

/**
 * The paged Office formats Quire converts to PDF with LibreOffice, by the media type Tika detects from the content
 * (with its OLE2 and OOXML container detectors), and the one it reports for an encrypted OOXML package.
 */
public final class OfficeFormats {
    private OfficeFormats() {
    }

    /** Media type → short name, for messages and summaries. */
    public static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
            Map.entry("application/vnd.ms-word.document.macroenabled.12", "DOCM"),
            Map.entry("application/msword", "DOC"),
            Map.entry("application/vnd.oasis.opendocument.text", "ODT"),
            Map.entry("application/rtf", "RTF"),
            Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"),
            Map.entry("application/vnd.ms-powerpoint.presentation.macroenabled.12", "PPTM"),
            Map.entry("application/vnd.ms-powerpoint", "PPT"),
            Map.entry("application/vnd.oasis.opendocument.presentation", "ODP"),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
            Map.entry("application/vnd.ms-excel.sheet.macroenabled.12", "XLSM"),
            Map.entry("application/vnd.ms-excel", "XLS"),
            Map.entry("application/vnd.oasis.opendocument.spreadsheet", "ODS"));

    /** What Tika reports for an OOXML file wrapped in an encrypted OLE2 container (a password-protected DOCX, XLSX…). */
    public static final String ENCRYPTED_OOXML = "application/x-tika-ooxml-protected";

    public static boolean isOffice(String mediaType) {
        return mediaType != null && TYPES.containsKey(mediaType);
    }
}
