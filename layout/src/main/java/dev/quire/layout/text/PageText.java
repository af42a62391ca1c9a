package dev.quire.layout.text;

import java.util.List;

/** A page's text layer: the plain text in reading order and its words with boxes. */
public record PageText(String text, List<Word> words) {
    public static final PageText EMPTY = new PageText("", List.of());

    public boolean isEmpty() {
        return words.isEmpty() && text.isBlank();
    }
}
