package dev.quire.layout.ocr;

import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderedPage;
import dev.quire.layout.text.PageText;
import dev.quire.layout.text.Word;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * OCR of rendered pages whose text layer cannot stand for them ({@link OcrMode}): the page is drawn again for
 * Tesseract (greyscale, {@link #DPI} for PDF pages, the frame itself for images) and the words' boxes are scaled to
 * the page image's pixels, so OCR words sit where text-layer words would. One per worker; thread-safe.
 */
public final class PageOcr {
    /** Resolution PDF pages are drawn at for Tesseract (its models are trained on text of about this size). */
    public static final double DPI = 300;
    /** Most pixels an OCR image may have (a 9000×9000 px poster scan is drawn smaller). */
    public static final long MAX_PIXELS = 25_000_000L;

    private final Tesseract tesseract;
    private final OcrMode mode;

    /** The outcome for one page: the OCR'd text (boxes in page-image pixels) with each word's confidence. */
    public record Result(PageText text, List<Float> confidences, long nanos) {
        public Result {
            confidences = List.copyOf(confidences);
        }
    }

    public PageOcr(Tesseract tesseract, OcrMode mode) {
        this.tesseract = tesseract;
        this.mode = mode;
    }

    /** Whether this page gets OCR under the mode. */
    public boolean wants(RenderedPage page) {
        return switch (mode) {
            case NEVER -> false;
            case ALWAYS -> true;
            case AUTO -> TextLayerCheck.unusable(page.text()) != null;
        };
    }

    /** OCRs page {@code index} of {@code source} (rendered as {@code page}). */
    public Result recognize(PageSource source, int index, RenderedPage page) throws IOException {
        long t0 = System.nanoTime();
        BufferedImage img = source.ocrImage(index, page, DPI, MAX_PIXELS);
        double sx = (double) page.fit().contentWidth() / img.getWidth();
        double sy = (double) page.fit().contentHeight() / img.getHeight();
        // the OCR image's resolution: PDF pages are drawn from points, images from their own pixels
        double dpi = page.fit().dpi() / sx;
        List<OcrWord> found = tesseract.recognize(img, (int) Math.round(dpi));
        return new Result(toPageText(found, sx, sy), found.stream().map(OcrWord::confidence).toList(), System.nanoTime() - t0);
    }

    /** Words scaled by {@code sx, sy}; the text joins a line's words with spaces and lines with newlines. */
    static PageText toPageText(List<OcrWord> words, double sx, double sy) {
        StringBuilder text = new StringBuilder();
        List<Word> out = new ArrayList<>(words.size());
        int line = -1;
        for (OcrWord w : words) {
            if (!text.isEmpty()) {
                text.append(w.line() == line ? ' ' : '\n');
            }
            line = w.line();
            text.append(w.text());
            out.add(new Word(w.text(), (int) Math.floor(w.x0() * sx), (int) Math.floor(w.y0() * sy),
                    (int) Math.ceil(w.x1() * sx), (int) Math.ceil(w.y1() * sy)));
        }
        return new PageText(text.toString(), List.copyOf(out));
    }
}
