package dev.quire.layout.text;

/** One word of a page's text layer, with its box in page-image pixels (origin top-left). */
public record Word(String text, int x0, int y0, int x1, int y1) {
}
