package dev.quire.layout.ocr;

import java.util.Locale;

/** When pages are OCR'd ({@code quire.ocr.mode}). */
public enum OcrMode {
    /** Pages whose text layer is empty or unusable (see {@link TextLayerCheck}); images always. */
    AUTO,
    /** Every page; OCR words replace the text layer. */
    ALWAYS,
    /** No page: a scan keeps no words. */
    NEVER;

    public static OcrMode parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quire.ocr.mode must be auto, always or never, got '" + s + "'");
        }
    }
}
