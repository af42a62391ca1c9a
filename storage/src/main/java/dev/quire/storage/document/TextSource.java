package dev.quire.storage.document;

/** Where a page's words come from: the PDF's own text layer, or Tesseract OCR of the page image. */
public enum TextSource {
    TEXT_LAYER, OCR
}
