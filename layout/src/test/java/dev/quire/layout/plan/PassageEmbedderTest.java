package dev.quire.layout.plan;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A dense page's text is indexed and embedded to its last word, so a fact at the bottom of a long page is found. */
class PassageEmbedderTest {
    static final String FACT = "The Halvorsen merger closed on 12 March for 4.1 billion kroner.";

    /** 3000 words of routine notes, then the fact: far past 48 passages of 48 words. */
    static String densePage() {
        return IntStream.range(0, 300).mapToObj(i -> "Routine operational note " + i + " about staffing and maintenance work.")
                .collect(Collectors.joining(" ")) + " " + FACT;
    }

    @Test
    void everyWordOfADensePageIsInAPassage() {
        List<String> passages = PassageEmbedder.passages(densePage());
        assertTrue(passages.size() > 48, passages.size() + " passages");
        assertTrue(passages.getLast().endsWith(FACT), "the last words are in the last passage");
        assertEquals(passages.size(), PassageEmbedder.shared().embedPage(densePage()).length, "every passage is embedded");
    }

    @Test
    void aFactAtTheEndOfADensePageRanksItFirst() {
        List<PageInfo> pages = List.of(
                new PageInfo(1, 812, 1036, null, false, "Routine operational note about staffing.", null, null),
                new PageInfo(2, 812, 1036, null, false, densePage(), null, null),
                new PageInfo(3, 812, 1036, null, false, "Routine operational note about maintenance.", null, null));
        PageRanker.Ranking r = new PageRanker().rank("When did the Halvorsen merger close?", null, pages);
        assertEquals(2, r.order().getFirst(), r.scores().toString());
    }
}
