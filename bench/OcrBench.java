import dev.quire.fixtures.OfficeFiles;
import dev.quire.fixtures.Samples;
import dev.quire.ingestion.office.LibreOffice;
import dev.quire.ingestion.office.OfficeConversions;
import dev.quire.layout.ocr.OcrMode;
import dev.quire.layout.ocr.PageOcr;
import dev.quire.layout.ocr.Tesseract;
import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderSettings;
import dev.quire.layout.render.RenderedPage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tesseract.TessBaseAPI;

/**
 * OCR and Office-conversion throughput, each beside the plain command-line tool on the same pages in the same run.
 *
 *   bench/ocr-bench.sh [ROUNDS]
 *
 * OCR (pages of samples/multipage-scan.pdf without a text layer, drawn at 300 dpi greyscale as ingest draws them):
 *   quire     PageOcr: draw the page for OCR + PNG + `tesseract stdin stdout tsv` (OMP_THREAD_LIMIT=1) + parse, scale
 *   cli       plain `tesseract page.png stdout tsv` on the same PNGs (Tesseract's own threading)    ← anchor
 *   inproc    Tesseract in the JVM through the JavaCPP preset (org.bytedeco:tesseract), same images: the
 *             alternative the CLI was chosen over
 * Conversion (a 10-page DOCX, a 10-slide PPTX, a 2-sheet XLSX written by POI):
 *   quire     OfficeConversions over one LibreOffice kept running (JODConverter); its start is reported apart
 *   cli       `soffice --headless --convert-to pdf` per file (starts LibreOffice each time, as a script would) ← anchor
 * Prints pages/s and the ratio to the anchor; the best of ROUNDS passes counts.
 */
public class OcrBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Path out = Files.createTempDirectory("quire-ocr-bench");
        System.out.printf(Locale.ROOT, "machine: %d cores, load average %.2f%n", Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ocr(out, rounds);
        conversion(out, rounds);
    }

    static void ocr(Path out, int rounds) throws Exception {
        Path pdf = Samples.file("multipage-scan.pdf");
        PageOcr ocr = new PageOcr(Tesseract.of("eng", Duration.ofMinutes(5)), OcrMode.AUTO);
        List<Path> pngs = new ArrayList<>();
        List<BufferedImage> images = new ArrayList<>();
        List<Integer> dpis = new ArrayList<>();
        double quire = Double.MAX_VALUE;
        int words = 0;
        try (PageSource src = PageSource.open(pdf, "application/pdf", RenderSettings.moonVitDefaults())) {
            List<RenderedPage> pages = new ArrayList<>();
            List<Integer> index = new ArrayList<>();
            for (int i = 0; i < src.pageCount(); i++) {
                RenderedPage p = src.render(i);
                if (ocr.wants(p)) {
                    pages.add(p);
                    index.add(i);
                    BufferedImage img = src.ocrImage(i, p, PageOcr.DPI, PageOcr.MAX_PIXELS);
                    images.add(img);
                    dpis.add((int) Math.round(p.fit().dpi() * img.getWidth() / p.fit().contentWidth()));
                    Path png = out.resolve("page-" + (i + 1) + ".png");
                    ImageIO.write(img, "png", png.toFile());
                    pngs.add(png);
                }
            }
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                words = 0;
                for (int k = 0; k < pages.size(); k++) {
                    words += ocr.recognize(src, index.get(k), pages.get(k)).text().words().size();
                }
                quire = Math.min(quire, (System.nanoTime() - t0) / 1e9);
            }
        }
        double cli = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < pngs.size(); k++) {
                Process p = new ProcessBuilder("tesseract", pngs.get(k).toString(), "stdout", "--dpi", dpis.get(k).toString(),
                        "--psm", "3", "tsv").redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("tesseract failed on " + pngs.get(k));
                }
            }
            cli = Math.min(cli, (System.nanoTime() - t0) / 1e9);
        }
        double inproc = Double.MAX_VALUE;
        try (TessBaseAPI api = new TessBaseAPI()) {
            String tessdata = Files.isDirectory(Path.of("/usr/share/tesseract-ocr/5/tessdata"))
                    ? "/usr/share/tesseract-ocr/5/tessdata" : "/usr/share/tesseract-ocr/4.00/tessdata";
            if (api.Init(tessdata, "eng") != 0) {
                throw new IllegalStateException("JavaCPP Tesseract could not load eng from " + tessdata);
            }
            api.SetPageSegMode(3);
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < images.size(); k++) {
                    BufferedImage gray = toGray(images.get(k));
                    byte[] px = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
                    api.SetImage(px, gray.getWidth(), gray.getHeight(), 1, gray.getWidth());
                    api.SetSourceResolution(dpis.get(k));
                    BytePointer tsv = api.GetTSVText(0);
                    tsv.getString();
                    tsv.deallocate();
                }
                inproc = Math.min(inproc, (System.nanoTime() - t0) / 1e9);
            }
            api.End();
        }
        int n = pngs.size();
        System.out.printf(Locale.ROOT, "OCR: %d pages of multipage-scan.pdf (%d words), best of %d%n", n, words, rounds);
        System.out.printf(Locale.ROOT, "  tesseract CLI (anchor)     %6.3f pages/s%n", n / cli);
        System.out.printf(Locale.ROOT, "  quire PageOcr (CLI, TSV)   %6.3f pages/s   ratio %.2f%n", n / quire, cli / quire);
        System.out.printf(Locale.ROOT, "  in-process JavaCPP preset  %6.3f pages/s   ratio %.2f%n", n / inproc, cli / inproc);
    }

    static BufferedImage toGray(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            return img;
        }
        BufferedImage g = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        g.getGraphics().drawImage(img, 0, 0, null);
        return g;
    }

    static void conversion(Path out, int rounds) throws Exception {
        List<Path> files = List.of(OfficeFiles.docx(out.resolve("report.docx"), 10), OfficeFiles.pptx(out.resolve("deck.pptx"), 10),
                OfficeFiles.xlsx(out.resolve("book.xlsx")));
        LibreOffice lo = LibreOffice.installed(1, Duration.ofMinutes(5))
                .orElseThrow(() -> new IllegalStateException("LibreOffice missing: " + LibreOffice.INSTALL_HINT));
        long s0 = System.nanoTime();
        lo.start();
        double start = (System.nanoTime() - s0) / 1e9;
        double quire = Double.MAX_VALUE;
        int pages = 0;
        try (OfficeConversions pool = new OfficeConversions(lo, 1, Duration.ofMinutes(5))) {
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                pages = 0;
                for (Path f : files) {
                    OfficeConversions.Result res = pool.convert(f, f.getFileName().toString(), out);
                    if (!res.ok()) {
                        throw new IllegalStateException(res.error());
                    }
                    try (var d = Loader.loadPDF(res.pdf().toFile())) {
                        pages += d.getNumberOfPages();
                    }
                }
                quire = Math.min(quire, (System.nanoTime() - t0) / 1e9);
            }
        }
        double cli = Double.MAX_VALUE;
        Path cliOut = Files.createDirectories(out.resolve("soffice"));
        Path profile = Files.createDirectories(out.resolve("profile"));
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (Path f : files) {
                Process p = new ProcessBuilder("soffice", "-env:UserInstallation=" + profile.toUri(), "--headless",
                        "--convert-to", "pdf", "--outdir", cliOut.toString(), f.toString())
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("soffice failed on " + f);
                }
            }
            cli = Math.min(cli, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "Conversion: %d files, %d PDF pages, best of %d (LibreOffice start through JODConverter: %.1f s, once)%n",
                files.size(), pages, rounds, start);
        System.out.printf(Locale.ROOT, "  soffice --convert-to (anchor) %6.3f pages/s%n", pages / cli);
        System.out.printf(Locale.ROOT, "  quire OfficeConversions       %6.3f pages/s   ratio %.2f%n", pages / quire, cli / quire);
    }
}
