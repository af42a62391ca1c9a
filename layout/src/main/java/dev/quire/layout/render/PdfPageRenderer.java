package dev.quire.layout.render;

import dev.quire.layout.text.PageText;
import dev.quire.layout.text.WordStripper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.graphics.image.PDImage;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.rendering.PageDrawer;
import org.apache.pdfbox.rendering.PageDrawerParameters;

/**
 * Renders the pages of one open PDF at native resolution. One instance per worker thread: PDFBox's
 * document and renderer are not thread-safe. Memory is bounded by the settings' main-memory limit
 * (streams beyond it spill to scratch files) and by the pixel budget; time by the per-page deadline.
 */
public final class PdfPageRenderer implements PageSource {
    private final Path file;
    private final PDDocument document;
    private final RenderSettings settings;
    private final DeadlineRenderer renderer;
    private final WordStripper stripper;

    private PdfPageRenderer(Path file, PDDocument document, RenderSettings settings) throws IOException {
        this.file = file;
        this.document = document;
        this.settings = settings;
        this.renderer = new DeadlineRenderer(document);
        this.renderer.setSubsamplingAllowed(true);
        this.stripper = new WordStripper(renderer::checkDeadline);
    }

    /** Opens {@code file}; an encrypted file opens only if it needs no user password. */
    public static PdfPageRenderer open(Path file, RenderSettings settings) throws IOException {
        PDDocument doc = Loader.loadPDF(file.toFile(), "",
                MemoryUsageSetting.setupMixed(settings.mainMemoryBytes()).streamCache);
        try {
            return new PdfPageRenderer(file, doc, settings);
        } catch (IOException | RuntimeException e) {
            doc.close();
            throw e;
        }
    }

    @Override
    public int pageCount() {
        return document.getNumberOfPages();
    }

    /**
     * Renders page {@code pageIndex} (0-based) and extracts its text.
     *
     * @throws IOException if the page cannot be rendered; the message names the file and the page
     */
    @Override
    public RenderedPage render(int pageIndex) throws IOException {
        String what = "page " + (pageIndex + 1) + " of " + file.getFileName();
        try {
            PDPage page = document.getPage(pageIndex);
            PDRectangle crop = page.getCropBox();
            int rotation = ((page.getRotation() % 360) + 360) % 360;
            boolean sideways = rotation == 90 || rotation == 270;
            double w = sideways ? crop.getHeight() : crop.getWidth();
            double h = sideways ? crop.getWidth() : crop.getHeight();
            PageFit fit = PageFit.fit(w, h, settings, settings.maxDpi() / 72.0);

            long t0 = System.nanoTime();
            BufferedImage canvas = fit.blankCanvas();
            Graphics2D g = canvas.createGraphics();
            // PDFRenderer clears the page area with the graphics' background colour, which is black by default.
            g.setBackground(Color.WHITE);
            try {
                renderer.arm(Deadline.after(settings.pageTimeout(), "rendering " + what));
                renderer.renderPageToGraphics(pageIndex, g, (float) fit.scale());
            } finally {
                renderer.disarm();
                g.dispose();
            }
            if (!renderer.imageFailures.isEmpty()) {
                // PDFBox logs an image it cannot decode and draws nothing: a scan would be stored as a white page.
                throw new IOException(renderer.imageFailures.size() + " image(s) could not be decoded ("
                        + String.join("; ", renderer.imageFailures) + ")");
            }
            long t1 = System.nanoTime();
            PageText text;
            try {
                renderer.arm(Deadline.after(settings.pageTimeout(), "text extraction of " + what));
                text = stripper.extract(document, pageIndex, fit.scale());
            } finally {
                renderer.disarm();
            }
            long t2 = System.nanoTime();
            if (!text.words().isEmpty() && InkBox.find(canvas).isEmpty()) {
                // Words in the text layer but not one dark pixel: the glyphs were not drawn (e.g. a font that is neither
                // embedded nor installed), which must not pass for a blank page.
                throw new IOException("the text layer has " + text.words().size() + " words but the rendered "
                        + "page has no ink (its fonts could not be drawn: not embedded and no substitute installed?)");
            }
            return new RenderedPage(pageIndex + 1, w, h, rotation, fit, canvas, text, t1 - t0, t2 - t1);
        } catch (Deadline.PageTimeoutException e) {
            throw new IOException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // PDFBox signals many malformed-content problems with unchecked exceptions; hostile nesting overflows the
            // stack. Each costs one page.
            throw new IOException(what + ": " + describe(e), e);
        }
    }

    @Override
    public BufferedImage ocrImage(int pageIndex, RenderedPage page, double dpi, long maxPixels) throws IOException {
        String what = "page " + (pageIndex + 1) + " of " + file.getFileName();
        double wIn = page.sourceWidth() / 72.0;
        double hIn = page.sourceHeight() / 72.0;
        double d = Math.min(dpi, Math.sqrt(maxPixels / Math.max(1e-6, wIn * hIn)));
        try {
            renderer.arm(Deadline.after(settings.pageTimeout(), "rendering " + what + " for OCR"));
            return renderer.renderImage(pageIndex, (float) (d / 72.0), org.apache.pdfbox.rendering.ImageType.GRAY);
        } catch (Deadline.PageTimeoutException e) {
            throw new IOException(e.getMessage(), e);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw new IOException(what + ": rendering for OCR failed: " + describe(e), e);
        } finally {
            renderer.disarm();
        }
    }

    /** A failure in a few words: the exception, and for a stack overflow what it usually means. */
    static String describe(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "content nested too deeply (stack overflow: recursive forms, patterns or annotations)";
        }
        return e.toString();
    }

    @Override
    public void close() throws IOException {
        document.close();
    }

    /**
     * A renderer whose page drawer checks a deadline before every content-stream operator and records every image it
     * could not decode (PDFBox itself only logs those and goes on).
     */
    private static final class DeadlineRenderer extends PDFRenderer {
        private Deadline deadline;
        private final List<String> imageFailures = new ArrayList<>();

        DeadlineRenderer(PDDocument document) {
            super(document);
        }

        void arm(Deadline d) {
            deadline = d;
            imageFailures.clear();
        }

        void disarm() {
            deadline = null;
        }

        void checkDeadline() {
            Deadline d = deadline;
            if (d != null) {
                d.check();
            }
        }

        @Override
        protected PageDrawer createPageDrawer(PageDrawerParameters parameters) throws IOException {
            return new PageDrawer(parameters) {
                @Override
                protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
                    checkDeadline();
                    super.processOperator(operator, operands);
                }

                @Override
                public void drawImage(PDImage image) throws IOException {
                    try {
                        super.drawImage(image);
                    } catch (IOException | RuntimeException e) {
                        if (e instanceof Deadline.PageTimeoutException) {
                            throw e;
                        }
                        imageFailures.add(image.getWidth() + "x" + image.getHeight() + " " + filters(image) + " image: "
                                + (e.getMessage() == null ? e.toString() : e.getMessage()));
                        throw e;
                    }
                }
            };
        }
    }

    private static String filters(PDImage image) {
        try {
            org.apache.pdfbox.cos.COSBase f = image.getCOSObject().getDictionaryObject(org.apache.pdfbox.cos.COSName.FILTER,
                    org.apache.pdfbox.cos.COSName.F);
            if (f instanceof org.apache.pdfbox.cos.COSName n) {
                return n.getName();
            }
            if (f instanceof org.apache.pdfbox.cos.COSArray a) {
                List<String> names = new ArrayList<>();
                for (org.apache.pdfbox.cos.COSBase b : a) {
                    names.add(b instanceof org.apache.pdfbox.cos.COSName n ? n.getName() : "?");
                }
                return String.join("+", names);
            }
            return "unfiltered";
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
