package dev.quire.layout.render;

import dev.quire.layout.text.PageText;
import java.awt.image.BufferedImage;

/**
 * One page rasterized at native resolution, with its text layer in the image's pixel coordinates.
 *
 * @param pageNumber   1-based page number
 * @param sourceWidth  displayed page width (after rotation) in PDF points, or in pixels for image sources
 * @param sourceHeight displayed page height
 * @param rotation     the page's /Rotate in degrees (0 for images)
 * @param fit          the scale and canvas chosen for the page
 * @param image        RGB canvas of {@code fit.width() × fit.height()} pixels
 * @param text         the text layer, boxes in image pixels ({@link PageText#EMPTY} for images)
 * @param renderNanos  time spent rasterizing
 * @param textNanos    time spent extracting text
 */
public record RenderedPage(int pageNumber, double sourceWidth, double sourceHeight, int rotation, PageFit fit,
                           BufferedImage image, PageText text, long renderNanos, long textNanos) {
}
