import dev.quire.layout.render.PagePng;
import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderSettings;
import dev.quire.layout.render.RenderedPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Rendering benchmark: Quire's PDFBox renderer vs poppler's pdftoppm on the same pages at the same DPI,
 * one worker each, measured in the same run. Prints pages/s and the ratio Quire ÷ pdftoppm.
 *
 *   bench/render-bench.sh [CORPUS_DIR] [DPI] [ROUNDS]
 *
 * Two comparisons:
 *   raster   Quire renders to an in-memory image  vs  pdftoppm writes PPM (uncompressed) to a RAM disk
 *   stored   Quire renders + extracts words + encodes PNG (what ingest stores)  vs  pdftoppm -png
 * A warm-up pass over the whole corpus runs first (JIT), then ROUNDS timed passes; the best pass counts.
 */
public class RenderBench {
    record Result(double quireSeconds, double popplerSeconds, int pages) {
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args.length > 0 ? args[0] : "../shared/corpus");
        double dpi = args.length > 1 ? Double.parseDouble(args[1]) : 144;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        RenderSettings settings = RenderSettings.fixedDpi(dpi, Duration.ofSeconds(120));
        Path out = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp"), "quire-bench");

        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(corpus)) {
            s.filter(p -> p.toString().endsWith(".pdf")).sorted().forEach(files::add);
        }
        List<Path> usable = new ArrayList<>();
        int totalPages = 0;
        for (Path f : files) {
            int pages = pagesIfBothRender(f, settings, dpi, out);
            if (pages > 0) {
                usable.add(f);
                totalPages += pages;
            } else {
                System.out.println("skipped (one of the renderers cannot open it): " + f.getFileName());
            }
        }
        System.out.printf(Locale.ROOT, "corpus: %d PDFs, %d pages at %.0f dpi, 1 worker each (%s, %d cores)%n",
                usable.size(), totalPages, dpi, System.getProperty("java.vm.name") + " " + Runtime.version(),
                Runtime.getRuntime().availableProcessors());

        for (String mode : List.of("raster", "stored")) {
            boolean stored = mode.equals("stored");
            pass(usable, settings, stored); // warm-up (JIT)
            double bestQuire = Double.MAX_VALUE;
            double bestPoppler = Double.MAX_VALUE;
            for (int r = 0; r < rounds; r++) {
                bestQuire = Math.min(bestQuire, pass(usable, settings, stored));
                bestPoppler = Math.min(bestPoppler, poppler(usable, dpi, out, stored));
            }
            double q = totalPages / bestQuire;
            double p = totalPages / bestPoppler;
            System.out.printf(Locale.ROOT, "%-6s  quire %6.1f pages/s   pdftoppm%s %6.1f pages/s   ratio quire/pdftoppm = %.2f%n",
                    mode, q, stored ? " -png" : "     ", p, q / p);
        }
        try (Stream<Path> s = Files.walk(out)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static int pagesIfBothRender(Path f, RenderSettings settings, double dpi, Path out) {
        try (PageSource src = PageSource.open(f, "application/pdf", settings)) {
            int n = src.pageCount();
            Process p = new ProcessBuilder("pdftoppm", "-r", fmt(dpi), "-f", "1", "-l", "1", f.toString(),
                    out.resolve("probe").toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0 ? n : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    static double pass(List<Path> files, RenderSettings settings, boolean stored) throws IOException {
        long t0 = System.nanoTime();
        long sink = 0;
        for (Path f : files) {
            try (PageSource src = PageSource.open(f, "application/pdf", settings)) {
                for (int i = 0; i < src.pageCount(); i++) {
                    try {
                        RenderedPage page = src.render(i);
                        sink += page.image().getWidth();
                        if (stored) {
                            sink += PagePng.encode(page.image()).length;
                        }
                    } catch (IOException pageFailed) {
                        sink--; // a broken page costs what it costs, in both tools
                    }
                }
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static double poppler(List<Path> files, double dpi, Path out, boolean png) throws Exception {
        long t0 = System.nanoTime();
        for (Path f : files) {
            List<String> cmd = new ArrayList<>(List.of("pdftoppm", "-r", fmt(dpi)));
            if (png) {
                cmd.add("-png");
            }
            cmd.add(f.toString());
            cmd.add(out.resolve("page").toString());
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        try (Stream<Path> st = Files.list(out)) {
            st.forEach(p -> p.toFile().delete());
        }
        return s;
    }

    static String fmt(double dpi) {
        return dpi == Math.rint(dpi) ? Long.toString((long) dpi) : Double.toString(dpi);
    }
}
