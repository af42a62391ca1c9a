package dev.quire.layout.render;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.image.ImageGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PageFitTest {
    final ImageGeometry geometry = ImageGeometry.kimiVlInstruct();
    final RenderSettings settings = RenderSettings.moonVitDefaults();

    @Test
    void everyFitIsNativeForTheEncoderAndUsesMostOfTheBudget() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            double w = 20 + r.nextDouble() * 4000;
            double h = 20 + r.nextDouble() * 4000;
            PageFit f = PageFit.fit(w, h, settings, Double.POSITIVE_INFINITY);
            assertTrue(geometry.isNative(f.width(), f.height()), () -> w + "x" + h + " -> " + f);
            assertTrue(f.contentWidth() <= f.width() && f.contentHeight() <= f.height());
            assertTrue(f.width() - f.contentWidth() < 28 && f.height() - f.contentHeight() < 28, f::toString);
            double aspect = Math.max(w / h, h / w);
            if (aspect < 4) {
                assertTrue(f.pixels() > 0.85 * settings.maxPixels(), () -> "wasteful fit " + f + " for " + w + "x" + h);
            }
        }
    }

    @Test
    void a4At144DpiWouldBeOverBudgetSoItIsScaledToFit() {
        PageFit f = PageFit.fit(595, 842, settings, Double.POSITIVE_INFINITY);
        assertTrue(f.dpi() < 144 && f.dpi() > 80, "dpi " + f.dpi());
        assertEquals(0, f.width() % 28);
        assertEquals(0, f.height() % 28);
    }

    @Test
    void imagesAreNeverEnlarged() {
        PageFit f = PageFit.fit(100, 60, settings, 1.0);
        assertEquals(1.0, f.scale());
        assertEquals(100, f.contentWidth());
        assertEquals(112, f.width());
        assertEquals(84, f.height());
    }

    @Test
    void extremelyElongatedPagesRespectTheSideLimit() {
        PageFit f = PageFit.fit(100_000, 50, settings, Double.POSITIVE_INFINITY);
        assertTrue(f.width() <= geometry.maxSideWidth());
        assertTrue(geometry.isNative(f.width(), f.height()));
    }

    @Test
    void budgetAndAlignmentAreParameters() {
        RenderSettings small = new RenderSettings(64 * 64 * 16, 32, 32, 4096, 4096,
                settings.pageTimeout(), settings.mainMemoryBytes(), Double.POSITIVE_INFINITY);
        PageFit f = PageFit.fit(612, 792, small, Double.POSITIVE_INFINITY);
        assertEquals(0, f.width() % 32);
        assertTrue(f.pixels() <= 64 * 64 * 16);
    }

    @Test
    void emptyPageIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> PageFit.fit(0, 100, settings, 1));
    }
}
