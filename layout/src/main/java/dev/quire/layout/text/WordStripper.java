package dev.quire.layout.text;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

/**
 * Extracts one page's text layer with word boxes, in the page's displayed orientation (rotation applied),
 * scaled to page-image pixels. Not thread-safe: one per worker, like the document it reads.
 */
public final class WordStripper extends PDFTextStripper {
    private final Runnable beforeOperator;
    private List<Word> words = new ArrayList<>();
    private double scale = 1;

    /** @param beforeOperator called before every content-stream operator (deadline checks); may throw */
    public WordStripper(Runnable beforeOperator) {
        this.beforeOperator = beforeOperator;
        setSortByPosition(true);
        setLineSeparator("\n");
    }

    /** Text of page {@code pageIndex} (0-based) with word boxes multiplied by {@code scale}. */
    public PageText extract(PDDocument document, int pageIndex, double scale) throws IOException {
        this.words = new ArrayList<>();
        this.scale = scale;
        setStartPage(pageIndex + 1);
        setEndPage(pageIndex + 1);
        String text = getText(document);
        return new PageText(withoutNul(text).strip(), List.copyOf(words));
    }

    @Override
    protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
        beforeOperator.run();
        super.processOperator(operator, operands);
    }

    @Override
    protected void writeString(String text, List<TextPosition> positions) throws IOException {
        StringBuilder word = new StringBuilder();
        float[] box = null;
        for (TextPosition p : positions) {
            String u = withoutNul(p.getUnicode());
            if (u == null || u.isBlank()) {
                box = flush(word, box);
                continue;
            }
            // getX/getY/getWidth/getHeight are in the displayed page (rotation applied, y down from the top).
            float x0 = p.getX();
            float y1 = p.getY();
            float y0 = y1 - Math.max(p.getHeight(), 1f);
            float x1 = x0 + Math.max(p.getWidth(), 0.5f);
            if (box == null) {
                box = new float[] {x0, y0, x1, y1};
            } else {
                box[0] = Math.min(box[0], x0);
                box[1] = Math.min(box[1], y0);
                box[2] = Math.max(box[2], x1);
                box[3] = Math.max(box[3], y1);
            }
            word.append(u);
        }
        flush(word, box);
        super.writeString(text, positions);
    }

    /** NUL cannot be stored in PostgreSQL text; broken fonts map glyphs to it. */
    private static String withoutNul(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }

    private float[] flush(StringBuilder word, float[] box) {
        if (box != null && !word.isEmpty()) {
            words.add(new Word(word.toString(),
                    (int) Math.floor(box[0] * scale), (int) Math.floor(box[1] * scale),
                    (int) Math.ceil(box[2] * scale), (int) Math.ceil(box[3] * scale)));
        }
        word.setLength(0);
        return null;
    }
}
