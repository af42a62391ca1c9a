package dev.quire.storage.document;

/** A word of the text layer and its box in page-image pixels (stored as JSON). */
public record WordBox(String t, int x0, int y0, int x1, int y1) {
}
