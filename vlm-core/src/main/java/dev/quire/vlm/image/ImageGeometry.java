package dev.quire.vlm.image;

/**
 * The geometry of a native-resolution vision encoder's image processor (MoonViT / Kimi-VL):
 * how an image of a given pixel size is resized, padded and cut into patches, and so how many
 * language-model tokens it costs. Pure arithmetic on widths and heights: no pixels are touched.
 *
 * <p>The rules follow the Kimi-VL image processor: when the image has more than {@code inTokenLimit}
 * patches it is scaled down by {@code sqrt(limit / patches)} (bicubic); then each side is padded
 * (or, with {@code padInput=false}, center-cropped) to a multiple of {@code patchSize × merge};
 * a grid with {@code maxPatchesPerSide} or more patches on a side is rejected.
 *
 * @param patchSize          side of one ViT patch in pixels (14 for MoonViT)
 * @param mergeHeight        patches merged vertically into one LLM token (2)
 * @param mergeWidth         patches merged horizontally into one LLM token (2)
 * @param inTokenLimit       most patches per image before downscaling (4096 for Kimi-VL-A3B-Instruct)
 * @param padInput           pad to the merge grid (true) or center-crop to it (false)
 * @param maxPatchesPerSide  the position-embedding limit: a side must have fewer patches than this (512)
 */
public record ImageGeometry(int patchSize, int mergeHeight, int mergeWidth, int inTokenLimit,
                            boolean padInput, int maxPatchesPerSide) {

    public ImageGeometry {
        if (patchSize <= 0 || mergeHeight <= 0 || mergeWidth <= 0 || inTokenLimit <= 0 || maxPatchesPerSide <= 0) {
            throw new IllegalArgumentException("image geometry needs positive sizes, got patch " + patchSize
                    + ", merge " + mergeHeight + "x" + mergeWidth + ", in_token_limit " + inTokenLimit
                    + ", max patches per side " + maxPatchesPerSide);
        }
    }

    /** The Kimi-VL-A3B-Instruct preprocessor: patch 14, 2×2 merge, 4096 patches, padding, 512-patch sides. */
    public static ImageGeometry kimiVlInstruct() {
        return new ImageGeometry(14, 2, 2, 4096, true, 512);
    }

    /** Pixel alignment of a side that the processor leaves untouched (patch × merge: 28 for MoonViT). */
    public int alignWidth() {
        return patchSize * mergeWidth;
    }

    public int alignHeight() {
        return patchSize * mergeHeight;
    }

    /** Most pixels an image may have and still be encoded without downscaling. */
    public long pixelBudget() {
        return (long) inTokenLimit * patchSize * patchSize;
    }

    /** Largest side in pixels, aligned to the merge grid, that stays under the position-embedding limit. */
    public int maxSideWidth() {
        return ((maxPatchesPerSide - 1) * patchSize) / alignWidth() * alignWidth();
    }

    public int maxSideHeight() {
        return ((maxPatchesPerSide - 1) * patchSize) / alignHeight() * alignHeight();
    }

    /**
     * What the processor does to a {@code width × height} image.
     *
     * @throws IllegalArgumentException if the image is empty or its patch grid exceeds the position embedding
     */
    public Processed process(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image is empty: " + width + "x" + height + " px");
        }
        int w = width;
        int h = height;
        long patches = (long) (w / patchSize) * (h / patchSize);
        boolean resized = false;
        if (patches > inTokenLimit) {
            double scale = Math.sqrt((double) inTokenLimit / patches);
            w = (int) (w * scale);
            h = (int) (h * scale);
            resized = true;
        }
        int aw = alignWidth();
        int ah = alignHeight();
        int outW = padInput ? ceilTo(w, aw) : Math.max(aw, w / aw * aw);
        int outH = padInput ? ceilTo(h, ah) : Math.max(ah, h / ah * ah);
        int gridW = outW / patchSize;
        int gridH = outH / patchSize;
        if (gridW >= maxPatchesPerSide || gridH >= maxPatchesPerSide) {
            throw new IllegalArgumentException("image " + width + "x" + height + " px gives a " + gridW + "x" + gridH
                    + " patch grid; the encoder's position embedding allows fewer than " + maxPatchesPerSide
                    + " patches a side (crop or split the image)");
        }
        return new Processed(w, h, outW, outH, gridH, gridW, resized);
    }

    /** LLM tokens an image of this size costs once encoded and merged. */
    public int tokensForImage(int width, int height) {
        return process(width, height).tokens(mergeHeight, mergeWidth);
    }

    /** True when the processor would neither resize, pad nor crop an image of this size. */
    public boolean isNative(int width, int height) {
        if (width <= 0 || height <= 0 || width % alignWidth() != 0 || height % alignHeight() != 0) {
            return false;
        }
        if (width > maxSideWidth() || height > maxSideHeight()) {
            return false;
        }
        return (long) (width / patchSize) * (height / patchSize) <= inTokenLimit;
    }

    private static int ceilTo(int v, int a) {
        return Math.max(a, (v + a - 1) / a * a);
    }

    /**
     * The processor's outcome for one image.
     *
     * @param resizedWidth  width after the optional downscale (before padding/cropping)
     * @param resizedHeight height after the optional downscale
     * @param width         final width fed to the encoder (multiple of the alignment)
     * @param height        final height fed to the encoder
     * @param gridHeight    patch rows
     * @param gridWidth     patch columns
     * @param resized       whether the image was scaled down to fit {@code inTokenLimit}
     */
    public record Processed(int resizedWidth, int resizedHeight, int width, int height,
                            int gridHeight, int gridWidth, boolean resized) {
        public int patches() {
            return gridHeight * gridWidth;
        }

        public int tokens(int mergeHeight, int mergeWidth) {
            return (gridHeight / mergeHeight) * (gridWidth / mergeWidth);
        }
    }
}
