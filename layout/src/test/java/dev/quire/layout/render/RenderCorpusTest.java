package dev.quire.layout.render;

import dev.quire.fixtures.Corpus;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corpus group: Quire's page images look like poppler's on third-party PDFs (the default suite does the same with
 * generated PDFs in {@link RenderMatchesPdftoppmTest}): the same corpus pages rendered by pdftoppm at the same resolution
 * differ little, pixel by pixel (anti-aliasing and font rasterisation differ, paper and ink do not). Catches a
 * wrong background, a wrong rotation or a wrong scale that self-consistent tests cannot see.
 * Needs pdftoppm (Debian poppler-utils; ./run-tests and .ci/run install it).
 */
@org.junit.jupiter.api.Tag("corpus")
class RenderCorpusTest {
    @TempDir
    Path tmp;

    @Test
    void pagesMatchPopplerAtTheSameResolution() throws Exception {
        RenderSettings settings = RenderSettings.fixedDpi(100, Duration.ofSeconds(60));
        for (String name : new String[] {"tracemonkey.pdf", "edgar-rotated90.pdf", "kampo.pdf"}) {
            Path pdf = Corpus.file(name);
            try (PdfPageRenderer r = PdfPageRenderer.open(pdf, settings)) {
                RenderedPage page = r.render(0);
                BufferedImage poppler = pdftoppm(pdf, 100);
                int w = Math.min(page.fit().contentWidth(), poppler.getWidth());
                int h = Math.min(page.fit().contentHeight(), poppler.getHeight());
                assertTrue(Math.abs(poppler.getWidth() - page.fit().contentWidth()) <= 2
                        && Math.abs(poppler.getHeight() - page.fit().contentHeight()) <= 2,
                        name + ": size " + page.fit().contentWidth() + "x" + page.fit().contentHeight() + " vs poppler "
                                + poppler.getWidth() + "x" + poppler.getHeight());
                double sum = 0;
                long far = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int d = Math.abs(luma(page.image().getRGB(x, y)) - luma(poppler.getRGB(x, y)));
                        sum += d;
                        far += d > 128 ? 1 : 0;
                    }
                }
                double mean = sum / ((double) w * h);
                double farShare = (double) far / ((double) w * h);
                assertTrue(mean < 15 && farShare < 0.05, String.format(Locale.ROOT,
                        "%s page 1 differs from pdftoppm: mean |Δluma| %.1f, %.2f%% of pixels off by > 128", name, mean,
                        100 * farShare));
            }
        }
    }

    static BufferedImage pdftoppm(Path tmp, Path pdf, int dpi) throws Exception {
        return new RenderCorpusTest().withTmp(tmp).pdftoppm(pdf, dpi);
    }

    private RenderCorpusTest withTmp(Path t) {
        tmp = t;
        return this;
    }

    private BufferedImage pdftoppm(Path pdf, int dpi) throws Exception {
        Path prefix = tmp.resolve(pdf.getFileName() + "-p");
        Process p;
        try {
            p = new ProcessBuilder("pdftoppm", "-r", String.valueOf(dpi), "-f", "1", "-l", "1", "-singlefile", "-png",
                    pdf.toString(), prefix.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("pdftoppm is needed for this test: apt-get install poppler-utils", e);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pdftoppm timed out");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        Path png = Path.of(prefix + ".png");
        assertTrue(Files.isRegularFile(png));
        return ImageIO.read(png.toFile());
    }

    static int luma(int rgb) {
        return (((rgb >> 16) & 255) * 299 + ((rgb >> 8) & 255) * 587 + (rgb & 255) * 114) / 1000;
    }
}
