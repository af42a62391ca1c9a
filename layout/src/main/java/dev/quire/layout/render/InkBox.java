package dev.quire.layout.render;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Optional;

/**
 * The smallest rectangle of a page image that holds all its ink (pixels that are not near-white), in image
 * pixels. A page without ink has no box: it is blank.
 */
public record InkBox(int x, int y, int width, int height) {
    /** A channel value at or above this counts as paper, not ink (JPEG noise and scanner grey stay paper). */
    static final int PAPER = 235;

    public static Optional<InkBox> find(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        boolean bgr = image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof DataBufferByte;
        byte[] bytes = bgr ? ((DataBufferByte) image.getRaster().getDataBuffer()).getData() : null;
        int[] row = bgr ? null : new int[w];
        for (int y = 0; y < h; y++) {
            int first = -1;
            int last = -1;
            if (bgr) {
                int base = y * w * 3;
                for (int x = 0; x < w; x++) {
                    int i = base + 3 * x;
                    if ((bytes[i] & 255) < PAPER || (bytes[i + 1] & 255) < PAPER || (bytes[i + 2] & 255) < PAPER) {
                        if (first < 0) {
                            first = x;
                        }
                        last = x;
                    }
                }
            } else {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int v = row[x];
                    if (((v >> 16) & 255) < PAPER || ((v >> 8) & 255) < PAPER || (v & 255) < PAPER) {
                        if (first < 0) {
                            first = x;
                        }
                        last = x;
                    }
                }
            }
            if (first >= 0) {
                minX = Math.min(minX, first);
                maxX = Math.max(maxX, last);
                minY = Math.min(minY, y);
                maxY = y;
            }
        }
        return maxX < 0 ? Optional.empty() : Optional.of(new InkBox(minX, minY, maxX - minX + 1, maxY - minY + 1));
    }
}
