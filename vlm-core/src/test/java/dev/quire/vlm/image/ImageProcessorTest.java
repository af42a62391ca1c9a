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

    /** Pixel (x, y) of the test images, the same formula as in the PIL script below. */
    static int pixel(int x, int y) {
        return (((x * 37 + y * 91) * 7) % 256) << 16 | (((x * 53 + y * 29 + 11) * 5) % 256) << 8 | ((x * x + y * 17) * 3) % 256;
    }

    /**
     * Reference values computed by Pillow 9.4.0 (Debian python3-pil) with {@code Image.resize(size, Image.BICUBIC)}:
     * <pre>
     * im = Image.new('RGB', (w, h)); im.putdata([pixel(x, y) for y in range(h) for x in range(w)])  # as above
     * im.resize((ow, oh), Image.BICUBIC).getdata()
     * </pre>
     * PIL works in fixed point (22 fractional bits), this port in double: a value may differ by one step of 8 bits.
     */
    static final int[] PIL_13x9_TO_5x4 = {0x568226, 0x3b9f46, 0x48909e, 0x505593, 0x576f89, 0xb0ad9b, 0x5c68b5, 0x466475,
        0x527480, 0x59916d, 0xb7596b, 0xa86c59, 0x528479, 0x48a4a3, 0x527f85, 0xb5846f, 0xc29b95, 0xa6ae98, 0x467071,
        0x415272};
    static final int[] PIL_6x5_TO_11x8 = {0x002c00, 0x002f00, 0x003500, 0x003a02, 0x003f07, 0x00440f, 0x004818, 0x024d23,
        0x035230, 0x055841, 0x065b49, 0x2b7512, 0x2c7812, 0x2e7e14, 0x348318, 0x3e881d, 0x408d25, 0x41912e, 0x439639,
        0x449b46, 0x46a157, 0x47a45f, 0x85c736, 0x86ca36, 0x88d038, 0x85d53c, 0x82da41, 0x83df49, 0x84e352, 0x86e85d,
        0x87ed6a, 0x89f37b, 0x8af683, 0xe67056, 0xea7356, 0xea7958, 0x9a7e5c, 0x238361, 0x1f9269, 0x22a072, 0x24a57d,
        0x25a98a, 0x27af9b, 0x28b2a3, 0xdb7b76, 0xe07e76, 0xe08478, 0x908b7c, 0x198f81, 0x146c89, 0x174792, 0x1e4b9d,
        0x2353ab, 0x2559c1, 0x265ccc, 0x79e796, 0x7aea96, 0x7cf098, 0x79fc9c, 0x75fca1, 0x7780a9, 0x7800b2, 0x7e00bc,
        0x820fcb, 0x8415e0, 0x8518ea, 0xbcadba, 0xbdb0ba, 0xbfb6bc, 0xc5bfc0, 0xcfc1c5, 0xd38ccd, 0xce55d6, 0x7558e9,
        0x3a61df, 0x3b678c, 0x3d6a60, 0xfd72d0, 0xfe75d0, 0xff7bd2, 0xff7fd6, 0xff85db, 0xff93e3, 0xffa1ec, 0x60a6ff,
        0x00aae8, 0x00b049, 0x00b300};

    static void assertMatchesPil(int[] pil, int w, int h, int ow, int oh) {
        int[] in = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                in[y * w + x] = pixel(x, y);
            }
        }
        int[] out = Resample.bicubic(in, w, h, ow, oh);
        assertEquals(pil.length, out.length);
        for (int i = 0; i < pil.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int expected = (pil[i] >> shift) & 255;
                int actual = (out[i] >> shift) & 255;
                int at = i;
                assertTrue(Math.abs(expected - actual) <= 1, () -> w + "x" + h + " -> " + ow + "x" + oh + ", pixel " + at
                        + ": PIL " + Integer.toHexString(pil[at]) + ", ours " + Integer.toHexString(out[at] & 0xffffff));
            }
        }
    }

    @Test
    void bicubicResamplingMatchesPilsValues() {
        // A step 0 -> 255 halved (PIL: 0 0 0 17 238 255 255 255), a 2-D downscale and a 2-D upscale.
        int[] row = new int[16];
        for (int i = 8; i < 16; i++) {
            row[i] = 0xffffffff;
        }
        int[] out = Resample.bicubic(row, 16, 1, 8, 1);
        int[] red = new int[8];
        for (int i = 0; i < 8; i++) {
            red[i] = (out[i] >> 16) & 255;
        }
        assertArrayEquals(new int[] {0, 0, 0, 17, 238, 255, 255, 255}, red);
        assertMatchesPil(PIL_13x9_TO_5x4, 13, 9, 5, 4);
        assertMatchesPil(PIL_6x5_TO_11x8, 6, 5, 11, 8);
    }
}
