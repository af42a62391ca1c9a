package dev.quire.storage.document;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A word of the page's text and its box in page-image pixels (stored as JSON). {@code c} is the OCR confidence
 * (0–100) of a word Tesseract read, null (and left out of the JSON) for a word of the PDF's text layer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WordBox(String t, int x0, int y0, int x1, int y1, Float c) {
}
