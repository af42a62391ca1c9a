package dev.quire.vlm.image;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ImageGeometryTest {
    final ImageGeometry g = ImageGeometry.kimiVlInstruct();

    @Test
    void smallImageIsPaddedToTheMergeGrid() {
        ImageGeometry.Processed p = g.process(100, 50);
        assertFalse(p.resized());
        assertEquals(112, p.width());
        assertEquals(56, p.height());
        assertEquals(4 * 2, g.tokensForImage(100, 50));
    }

    @Test
    void largeImageIsScaledDownBySqrtOfTheLimitRatio() {
        // 2000x2000 -> 142x142 = 20164 patches > 4096: s = sqrt(4096/20164)
        double s = Math.sqrt(4096.0 / (142 * 142));
        ImageGeometry.Processed p = g.process(2000, 2000);
        assertTrue(p.resized());
        assertEquals((int) (2000 * s), p.resizedWidth());
        assertEquals(((int) (2000 * s) + 27) / 28 * 28, p.width());
        assertEquals((p.width() / 28) * (p.height() / 28), g.tokensForImage(2000, 2000));
    }

    @Test
    void vLlmProfilingImageCosts1024TokensAnd224Costs64() {
        assertEquals(64, g.tokensForImage(224, 224));
        assertEquals(1024, g.tokensForImage(896, 896));
    }

    @Test
    void cropModeCutsDownToTheGrid() {
        ImageGeometry crop = new ImageGeometry(14, 2, 2, 4096, false, 512);
        ImageGeometry.Processed p = crop.process(100, 50);
        assertEquals(84, p.width());
        assertEquals(28, p.height());
    }

    @Test
    void gridOf512PatchesASideIsRejectedWithTheSizeInTheMessage() {
        ImageGeometry wide = new ImageGeometry(14, 2, 2, 1 << 20, true, 512);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wide.process(512 * 14, 28));
        assertTrue(e.getMessage().contains("7168x28"), e.getMessage());
    }

    @Test
    void nativeSizesAreLeftAlone() {
        assertTrue(g.isNative(896, 896));
        assertFalse(g.isNative(924, 896), "4224 patches exceed the 4096 limit");
        assertFalse(g.isNative(900, 896), "not aligned to 28");
        for (int w = 28; w <= 2000; w += 28) {
            for (int h = 28; h <= 2000; h += 56) {
                if (g.isNative(w, h)) {
                    ImageGeometry.Processed p = g.process(w, h);
                    assertEquals(w, p.width());
                    assertEquals(h, p.height());
                    assertFalse(p.resized());
                }
            }
        }
    }

    @Test
    void emptyImageIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> g.process(0, 10));
    }
}
