package dev.quire.layout.plan;

import dev.quire.layout.render.InkBox;

/**
 * What the planner knows of one stored page: its rendered size, where its ink is, its text layer and the
 * embeddings of its text passages.
 *
 * @param number      1-based page number
 * @param width       stored page image width in pixels (already native for the encoder)
 * @param height      stored page image height in pixels
 * @param ink         the ink box in image pixels; null when unknown (the whole image is used)
 * @param blank       true when the page is known to have no ink
 * @param text        the page's text layer ("" for scans and images)
 * @param passages    embeddings of the text's passages (may be empty; null when not computed)
 * @param unavailable why the page has no image (failed to render), or null when it has one
 */
public record PageInfo(int number, int width, int height, InkBox ink, boolean blank, String text, float[][] passages,
                       String unavailable) {

    public PageInfo {
        text = text == null ? "" : text;
    }

    public static PageInfo missing(int number, String reason) {
        return new PageInfo(number, 0, 0, null, false, "", null, reason);
    }

    public boolean hasText() {
        return !text.isBlank();
    }
}
