package dev.quire.layout.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.layout.text.Grounding.PageWords;
import dev.quire.layout.text.Grounding.Result;
import dev.quire.layout.text.Grounding.Verdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GroundingTest {
    private final Grounding grounding = new Grounding();

    private static PageWords page(int n, String text) {
        return new PageWords(n, Arrays.asList(text.split(" ")));
    }

    private Result check(String answer, String pageText) {
        return grounding.check(answer, List.of(page(3, pageText)));
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' is on a page reading ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "Total amount due                 | Invoice 17. Total amount due: $1,234.00 by Friday",
        "1,234.00                         | Total amount due: $1,234.00 by Friday",
        "1234                             | Total amount due: $1,234.00 by Friday",
        "$1234.0                          | Total amount due: 1,234 EUR",
        "18.29%                           | the share was 18.29 % in 2019",
        "2019-03-12                       | signed on 12 March 2019 in Bonn",
        "12 March 2019                    | signed on March 12, 2019 in Bonn",
        "March 2019                       | report of 2019-03 (draft)",
        "2019-04-03                       | dated 03/04/2019 and filed",
        "2019-03-04                       | dated 03/04/2019 and filed",
        "Less well-off                    | households that are less well off than",
        "U.S.                             | the US economy grew",
        "Café Müller                      | lunch at CAFE MULLER today",
        "\"Annual Report\"                | the Annual Report 2019",
        "Annual Reprot                    | the Annual Report 2019",
    })
    void foundDespiteFormatting(String answer, String pageText) {
        Result r = check(answer, pageText);
        assertEquals(Verdict.GROUNDED, r.verdict(), r.reason());
        assertEquals(3, r.spans().getFirst().page());
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' is not on a page reading ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "1,243.00                 | Total amount due: $1,234.00 by Friday",
        "12345                    | reference 12346 only",
        "1995                     | founded in 1996",
        "2019-03-13               | signed on 12 March 2019 in Bonn",
        "Quarterly Report         | the Annual Report 2019",
        "total 1,234.00           | total 1,243.00",
        "Marseille                | offices in Paris and Lyon",
    })
    void notFoundWhenAValueOrTheWordsDiffer(String answer, String pageText) {
        Result r = check(answer, pageText);
        assertEquals(Verdict.UNGROUNDED, r.verdict(), r.reason());
        assertTrue(r.reason().contains("does not occur on cited page 3"), r.reason());
    }

    @Test
    void spanNamesTheMatchedWordsForHighlighting() {
        Result r = check("12 March 2019", "signed on 12 March 2019 in Bonn");
        Grounding.Span s = r.spans().getFirst();
        assertEquals(2, s.fromWord());
        assertEquals(5, s.toWord());
        assertEquals(1.0, s.similarity());
    }

    @Test
    void answerOnTheSecondCitedPageIsFound() {
        Result r = grounding.check("Lyon", List.of(page(1, "offices in Paris"), page(7, "and a branch in Lyon.")));
        assertEquals(Verdict.GROUNDED, r.verdict());
        assertEquals(7, r.spans().getFirst().page());
        assertEquals(4, r.spans().getFirst().fromWord());
    }

    @Test
    void longAnswersAreCheckedByCoverage() {
        String page = "In 2019 the company opened three new plants in Ohio and closed the old one in Texas after a"
                + " long dispute with the city";
        assertEquals(Verdict.GROUNDED, check("The company opened three new plants in Ohio in 2019", page).verdict());
        assertEquals(Verdict.UNGROUNDED, check("The company opened three new plants in Ohio in 2018", page).verdict(),
                "a missing year is never covered by the other words");
        assertEquals(Verdict.UNGROUNDED,
                check("The firm built four factories near Columbus during the last decade", page).verdict());
    }

    @Test
    void answersThatCannotBeLookedForAreNotChecked() {
        for (String a : List.of("", "  ", "Not answerable", "not answerable.", "Yes", "no", "--")) {
            assertEquals(Verdict.NOT_CHECKED, check(a, "yes no not answerable").verdict(), a);
        }
    }

    @Test
    void noCitedPageIsNoEvidence() {
        Result r = grounding.check("Lyon", List.of());
        assertEquals(Verdict.NO_EVIDENCE, r.verdict());
        assertEquals("the answer cites no page", r.reason());
    }

    @Test
    void emptyTextLayerIsUngrounded() {
        Result r = grounding.check("Lyon", List.of(new PageWords(2, List.of())));
        assertEquals(Verdict.UNGROUNDED, r.verdict());
    }

    @Test
    void everyListValueMustBeFoundEachOnAnyCitedPage() {
        List<PageWords> pages = List.of(page(1, "Circle and square"), page(2, "a Rectangle here"));
        Result both = grounding.checkEach(List.of("circle", "rectangle"), pages);
        assertEquals(Verdict.GROUNDED, both.verdict(), both.reason());
        assertEquals(2, both.spans().size());
        Result one = grounding.checkEach(List.of("circle", "triangle"), pages);
        assertEquals(Verdict.UNGROUNDED, one.verdict());
        assertTrue(one.reason().startsWith("'triangle' does not occur on cited pages 1, 2"), one.reason());
        assertEquals(1, one.spans().size(), "what was found is still returned for highlighting");
    }

    @Test
    void similarityIsNormalisedLevenshtein() {
        assertEquals(1.0, Grounding.similarity("abc", "abc"));
        assertEquals(0.5, Grounding.similarity("1243", "1234"), 1e-12, "a transposition is two edits");
        assertEquals(0.75, Grounding.similarity("1243", "1244"), 1e-12);
        assertEquals(0.0, Grounding.similarity("", "abc"));
    }

    @Test
    void aThousandWordPageIsCheckedQuickly() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("word").append(i % 97).append(i % 5 == 0 ? " 12.5" : "").append(' ');
        }
        Result r = check("the missing phrase here", sb.toString());
        assertEquals(Verdict.UNGROUNDED, r.verdict());
    }
}
