package dev.quire.layout.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * The largest uniform scale at which a page fits the pixel budget once each side is padded up to
 * the alignment. The page keeps its aspect ratio: the picture occupies {@code contentWidth × contentHeight}
 * at the top-left and the rest of the {@code width × height} canvas is white padding.
 *
 * @param scale          pixels per source unit (per PDF point for PDFs, per pixel for images)
 * @param contentWidth   pixels covered by the page itself
 * @param contentHeight  pixels covered by the page itself
 * @param width          canvas width, a multiple of the alignment
 * @param height         canvas height, a multiple of the alignment
 */
public record PageFit(double scale, int contentWidth, int contentHeight, int width, int height) {

    /** Render resolution in dots per inch, for PDF sources (72 points per inch). */
    public double dpi() {
        return scale * 72.0;
    }

    /** The page's canvas before drawing: RGB (no alpha), all white, so padding is white in every renderer. */
    public BufferedImage blankCanvas() {
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setBackground(Color.WHITE);
            g.clearRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        return canvas;
    }

    public long pixels() {
        return (long) width * height;
    }

    /**
     * Fits a page of {@code sourceWidth × sourceHeight} units (after rotation) to the settings.
     *
     * @param maxScale an upper bound on the scale (e.g. 1.0 so images are never enlarged), or +∞
     */
    public static PageFit fit(double sourceWidth, double sourceHeight, RenderSettings s, double maxScale) {
        if (!(sourceWidth > 0) || !(sourceHeight > 0) || Double.isInfinite(sourceWidth) || Double.isInfinite(sourceHeight)) {
            throw new IllegalArgumentException("page has no usable size: " + sourceWidth + " x " + sourceHeight);
        }
        double scale = Math.min(maxScale, Math.sqrt(s.maxPixels() / (sourceWidth * sourceHeight)));
        scale = Math.min(scale, Math.min(s.maxWidth() / sourceWidth, s.maxHeight() / sourceHeight));
        // Padding up to the alignment may push the canvas over budget: shrink until the canvas fits.
        for (int i = 0; i < 10_000; i++) {
            int cw = Math.max(1, (int) Math.floor(sourceWidth * scale));
            int ch = Math.max(1, (int) Math.floor(sourceHeight * scale));
            int w = ceilTo(cw, s.alignWidth());
            int h = ceilTo(ch, s.alignHeight());
            if ((long) w * h <= s.maxPixels() && w <= s.maxWidth() && h <= s.maxHeight()) {
                return new PageFit(scale, cw, ch, w, h);
            }
            scale *= 0.995;
        }
        throw new IllegalArgumentException("page " + sourceWidth + " x " + sourceHeight
                + " cannot fit the pixel budget " + s.maxPixels() + " at any scale (too elongated)");
    }

    private static int ceilTo(int v, int a) {
        return Math.max(a, (v + a - 1) / a * a);
    }
}
