package dev.quire.batch.plan;

/**
 * Which pages of a document a job shows the model, and at what resolution: an evaluation protocol's settings
 * (MMLongBench-Doc's official runs: the first 120 pages, rendered at 144 DPI).
 *
 * @param dpi      render PDF pages at exactly this resolution (kept apart from the native-resolution images made
 *                 at ingest, and resized by the model's image processor like any image), or null for the stored
 *                 native-resolution pages. Raster images keep their own pixels either way.
 * @param maxPages use only pages 1..maxPages (the rest are listed in the plan as skipped, with the reason), or null
 */
public record PageSelection(Double dpi, Integer maxPages) {
    public static final PageSelection ALL_NATIVE = new PageSelection(null, null);

    public PageSelection {
        if (dpi != null && !(dpi > 0 && dpi <= 1200)) {
            throw new IllegalArgumentException("render dpi must be in (0, 1200], got " + dpi);
        }
        if (maxPages != null && maxPages < 1) {
            throw new IllegalArgumentException("max pages must be at least 1, got " + maxPages);
        }
    }

    public boolean isDefault() {
        return dpi == null && maxPages == null;
    }

    /** Why a page past the cap is not shown (in the plan's skipped list). */
    public String beyondCap() {
        return "beyond the page cap: only the first " + maxPages + " pages are used";
    }
}
