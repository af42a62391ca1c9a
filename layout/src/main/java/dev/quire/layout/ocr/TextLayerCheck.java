package dev.quire.layout.ocr;

import dev.quire.layout.text.PageText;
import dev.quire.layout.text.Word;

/**
 * Whether a page's text layer can stand for the page: it has words, and its letters map to Unicode (glyphs without a
 * ToUnicode mapping come out as U+FFFD, private-use or control characters, or not at all).
 */
public final class TextLayerCheck {
    /** Share of a text layer's characters that may be unmapped before the layer counts as unusable. */
    public static final double MAX_UNMAPPED = 0.3;

    private TextLayerCheck() {
    }

    /** Null when the text layer is usable; otherwise why it is not ("no words", "62% of its characters…"). */
    public static String unusable(PageText text) {
        if (text.words().isEmpty()) {
            return "no text layer";
        }
        long chars = 0;
        long bad = 0;
        for (Word w : text.words()) {
            for (int i = 0; i < w.text().length(); ) {
                int c = w.text().codePointAt(i);
                i += Character.charCount(c);
                chars++;
                int type = Character.getType(c);
                if (c == 0xFFFD || type == Character.PRIVATE_USE || type == Character.CONTROL
                        || type == Character.UNASSIGNED || type == Character.SURROGATE) {
                    bad++;
                }
            }
        }
        double share = chars == 0 ? 1 : (double) bad / chars;
        return share > MAX_UNMAPPED
                ? String.format(java.util.Locale.ROOT, "%.0f%% of the text layer's characters do not map to Unicode", share * 100)
                : null;
    }
}
