package dev.quire.vlm.image;

import java.awt.image.BufferedImage;

/**
 * Kimi-VL's image processor on decoded pixels: downscale to at most {@code in_token_limit} patches (bicubic,
 * resampled the way PIL does: separable, antialiased when shrinking, 8-bit between passes), pad right/bottom
 * with black to the merge grid (or center-crop when {@code pad_input} is false), scale to [0,1], normalise
 * with the checkpoint's mean/std, and cut into patches in the encoder's order.
 */
public final class ImageProcessor {
    private final ImageProcessorConfig config;

    public ImageProcessor(ImageProcessorConfig config) {
        this.config = config;
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /**
     * Patches of one image.
     *
     * @param pixels     {@code patches × 3 × patch × patch} values, patch-major: patch {@code (r, c)} of the grid is
     *                   number {@code r × gridWidth + c}; inside a patch, channel-major then rows then columns
     * @param gridHeight patch rows
     * @param gridWidth  patch columns
     */
    public record Patches(float[] pixels, int gridHeight, int gridWidth, int patchSize) {
        public int count() {
            return gridHeight * gridWidth;
        }
    }

    /** Token count of an image of this size: the same arithmetic {@link #process} follows. */
    public int tokensForImage(int width, int height) {
        return config.geometry().tokensForImage(width, height);
    }

    /** {@code image} resized to {@code width × height} with the processor's own resampling (PIL-style bicubic). */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        int[] out = w == width && h == height ? rgb : Resample.bicubic(rgb, w, h, width, height);
        BufferedImage result = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, width, height, out, 0, width);
        return result;
    }

    public Patches process(BufferedImage image) {
        ImageGeometry g = config.geometry();
        ImageGeometry.Processed plan = g.process(image.getWidth(), image.getHeight());
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        int w = image.getWidth();
        int h = image.getHeight();
        if (plan.resized()) {
            rgb = Resample.bicubic(rgb, w, h, plan.resizedWidth(), plan.resizedHeight());
            w = plan.resizedWidth();
            h = plan.resizedHeight();
        }
        int outW = plan.width();
        int outH = plan.height();
        // Padding adds black at the right/bottom; cropping keeps the centre.
        int offX = g.padInput() ? 0 : (w - outW) / 2;
        int offY = g.padInput() ? 0 : (h - outH) / 2;
        int p = g.patchSize();
        int gh = plan.gridHeight();
        int gw = plan.gridWidth();
        float[] out = new float[gh * gw * 3 * p * p];
        float[] scale = new float[3];
        float[] shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / (255f * config.std()[c]);
            shift[c] = -config.mean()[c] / config.std()[c];
        }
        for (int y = 0; y < outH; y++) {
            int sy = y + offY;
            for (int x = 0; x < outW; x++) {
                int sx = x + offX;
                int v = sy < h && sx < w ? rgb[sy * w + sx] : 0xff000000;
                int patch = (y / p) * gw + (x / p);
                int base = patch * 3 * p * p + (y % p) * p + (x % p);
                out[base] = ((v >> 16) & 255) * scale[0] + shift[0];
                out[base + p * p] = ((v >> 8) & 255) * scale[1] + shift[1];
                out[base + 2 * p * p] = (v & 255) * scale[2] + shift[2];
            }
        }
        return new Patches(out, gh, gw, p);
    }
}
