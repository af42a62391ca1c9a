package dev.quire.layout.render;

import dev.quire.vlm.image.ImageGeometry;
import java.time.Duration;

/**
 * How pages are rasterized: the pixel budget and alignment come from the vision encoder's geometry
 * (so a rendered page is already "native" for the encoder: no resize, no pad), the rest bounds the
 * cost of hostile input.
 *
 * @param maxPixels        most pixels a rendered page may have (encoder patch budget × patch area)
 * @param alignWidth       rendered width is a multiple of this (patch × merge width: 28 for MoonViT)
 * @param alignHeight      rendered height is a multiple of this
 * @param maxWidth         largest rendered width (the encoder's position-embedding limit, aligned)
 * @param maxHeight        largest rendered height
 * @param pageTimeout      wall-clock limit for rendering one page; past it the page fails, the document goes on
 * @param mainMemoryBytes  main memory PDFBox may use for a document's streams before spilling to scratch files
 * @param maxDpi           upper bound on the render resolution of PDF pages (+∞: the pixel budget alone decides)
 */
public record RenderSettings(long maxPixels, int alignWidth, int alignHeight, int maxWidth, int maxHeight,
                             Duration pageTimeout, long mainMemoryBytes, double maxDpi) {

    /** Per-page limit unless set ({@code quire.render.page-timeout}). */
    public static final Duration DEFAULT_PAGE_TIMEOUT = Duration.ofSeconds(60);
    /** PDF stream memory before spilling to scratch files unless set ({@code quire.render.main-memory-bytes}). */
    public static final long DEFAULT_MAIN_MEMORY_BYTES = 64L << 20;

    public RenderSettings {
        if (maxPixels < (long) alignWidth * alignHeight) {
            throw new IllegalArgumentException("pixel budget " + maxPixels + " is smaller than one aligned cell "
                    + alignWidth + "x" + alignHeight);
        }
        if (alignWidth <= 0 || alignHeight <= 0 || maxWidth < alignWidth || maxHeight < alignHeight) {
            throw new IllegalArgumentException("bad render alignment/limits: align " + alignWidth + "x" + alignHeight
                    + ", max " + maxWidth + "x" + maxHeight);
        }
        if (!(maxDpi > 0)) {
            throw new IllegalArgumentException("max dpi must be positive, got " + maxDpi);
        }
        if (pageTimeout.isNegative() || pageTimeout.isZero()) {
            throw new IllegalArgumentException("page timeout must be positive, got " + pageTimeout);
        }
    }

    /** Settings that render every page at the encoder's native resolution. */
    public static RenderSettings forEncoder(ImageGeometry g, Duration pageTimeout, long mainMemoryBytes) {
        return new RenderSettings(g.pixelBudget(), g.alignWidth(), g.alignHeight(), g.maxSideWidth(), g.maxSideHeight(),
                pageTimeout, mainMemoryBytes, Double.POSITIVE_INFINITY);
    }

    /** Every PDF page at exactly {@code dpi} (no budget, no alignment): for comparisons with other renderers. */
    public static RenderSettings fixedDpi(double dpi, Duration pageTimeout) {
        return new RenderSettings(Long.MAX_VALUE / 4, 1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE, pageTimeout,
                DEFAULT_MAIN_MEMORY_BYTES, dpi);
    }

    /** Same settings with a resolution cap. */
    public RenderSettings withMaxDpi(double dpi) {
        return new RenderSettings(maxPixels, alignWidth, alignHeight, maxWidth, maxHeight, pageTimeout, mainMemoryBytes, dpi);
    }

    public static RenderSettings moonVitDefaults() {
        return forEncoder(ImageGeometry.kimiVlInstruct(), DEFAULT_PAGE_TIMEOUT, DEFAULT_MAIN_MEMORY_BYTES);
    }
}
