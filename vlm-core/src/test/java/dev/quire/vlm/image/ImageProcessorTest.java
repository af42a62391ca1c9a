package dev.quire.vlm.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageProcessorTest {
    final ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.kimiVlDefaults());

    static BufferedImage random(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    @Test
    void patchesAreInGridOrderChannelMajorAndNormalisedWithClipStats() {
        BufferedImage img = random(30, 20, 1);
        ImageProcessor.Patches p = processor.process(img);
        assertEquals(2, p.gridHeight(), "20 px pad to 28: two patch rows");
        assertEquals(4, p.gridWidth(), "30 px pad to 56: four patch columns");
        assertEquals(8 * 3 * 14 * 14, p.pixels().length);
        assertEquals(processor.tokensForImage(30, 20) * 4, p.count(), "2x2 patches per token");
        float[] mean = ImageProcessorConfig.CLIP_MEAN;
        float[] std = ImageProcessorConfig.CLIP_STD;
        // pixel (x=17, y=5) is in patch (row 0, col 1), at (5, 3) inside it
        int v = img.getRGB(17, 5);
        int base = (0 * 4 + 1) * 3 * 196 + 5 * 14 + 3;
        assertEquals((((v >> 16) & 255) / 255f - mean[0]) / std[0], p.pixels()[base], 1e-5);
        assertEquals((((v >> 8) & 255) / 255f - mean[1]) / std[1], p.pixels()[base + 196], 1e-5);
        assertEquals(((v & 255) / 255f - mean[2]) / std[2], p.pixels()[base + 392], 1e-5);
        // padding is black: pixel (x=40, y=25) lies outside the 30x20 image
        int pad = (1 * 4 + 2) * 3 * 196 + (25 - 14) * 14 + (40 - 28);
        assertEquals((0 - mean[0]) / std[0], p.pixels()[pad], 1e-5);
    }

    @Test
    void nativeSizedImagesAreNotResampled() {
        BufferedImage img = random(56, 28, 2);
        ImageProcessor.Patches p = processor.process(img);
        assertEquals(2 * 4, p.count());
        int v = img.getRGB(55, 27);
        int base = (1 * 4 + 3) * 3 * 196 + 13 * 14 + 13;
        assertEquals((((v >> 16) & 255) / 255f - ImageProcessorConfig.CLIP_MEAN[0]) / ImageProcessorConfig.CLIP_STD[0],
                p.pixels()[base], 1e-5);
    }

    @Test
    void largeImagesAreDownscaledToTheTokenLimitAndKeepTheirMeanColour() {
        BufferedImage img = new BufferedImage(2000, 1500, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(new java.awt.Color(200, 100, 50));
        g.fillRect(0, 0, 2000, 1500);
        g.dispose();
        ImageProcessor.Patches p = processor.process(img);
        // 142x107 = 15194 patches > 4096: s = sqrt(4096/15194), 1038x778 px, padded to 1064x784 = 76x56 patches
        // (padding after the downscale may exceed the limit slightly, as in the reference processor)
        assertEquals(76, p.gridWidth());
        assertEquals(56, p.gridHeight());
        float expected = (200 / 255f - ImageProcessorConfig.CLIP_MEAN[0]) / ImageProcessorConfig.CLIP_STD[0];
        assertEquals(expected, p.pixels()[100], 1e-5, "a flat colour stays flat through bicubic resampling");
    }

    @Test
    void bicubicDownscaleMatchesPilOnASharpEdge() {
        // A 1D step 0 -> 255 halved: PIL (a=-0.5, antialiased) gives 0 0 ... then ringing-free ramp values
        int[] row = new int[16];
        for (int i = 8; i < 16; i++) {
            row[i] = 0xffffffff;
        }
        int[] out = Resample.bicubic(row, 16, 1, 8, 1);
        int[] red = new int[8];
        for (int i = 0; i < 8; i++) {
            red[i] = (out[i] >> 16) & 255;
        }
        assertEquals(0, red[0]);
        assertEquals(255, red[7]);
        for (int i = 1; i < 8; i++) {
            assertTrue(red[i] >= red[i - 1] - 12, "monotone up to small ringing: " + java.util.Arrays.toString(red));
        }
        assertTrue(red[3] < 64 && red[4] > 191, java.util.Arrays.toString(red));
    }
}
