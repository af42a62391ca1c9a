package dev.quire.layout.plan;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerParserTest {

    static ParsedAnswer parse(String raw) {
        return AnswerParser.parse(raw, 1, 40);
    }

    @Test
    void wellFormedReplyIsReadExactly() {
        ParsedAnswer a = parse("Answer: 4.1 billion kroner\nEvidence pages: 12, 14");
        assertEquals("4.1 billion kroner", a.answer());
        assertEquals(List.of(12, 14), a.evidencePages());
        assertEquals(List.of(), a.problems());
        assertTrue(a.answerable());
    }

    @Test
    void markdownCasingRangesAndPrefixesAreTolerated() {
        ParsedAnswer a = parse("**Answer:** 12 March 2019\n**Evidence Pages:** p. 3, pages 7–9 and 12");
        assertEquals("12 March 2019", a.answer());
        assertEquals(List.of(3, 7, 8, 9, 12), a.evidencePages());
        ParsedAnswer b = parse("ANSWER: yes\nevidence: [5, 5, 2]");
        assertEquals("yes", b.answer());
        assertEquals(List.of(2, 5), b.evidencePages());
    }

    @Test
    void multiLineAnswerStopsAtTheEvidenceLine() {
        ParsedAnswer a = parse("Answer: first item\nsecond item\nEvidence pages: 4");
        assertEquals("first item\nsecond item", a.answer());
        assertEquals(List.of(4), a.evidencePages());
    }

    @Test
    void missingCitationsAreNotedNotInvented() {
        ParsedAnswer a = parse("Answer: 42");
        assertEquals("42", a.answer());
        assertEquals(List.of(), a.evidencePages());
        assertEquals(List.of("no evidence pages cited"), a.problems());
        ParsedAnswer b = parse("The revenue grew 7% (see page 9).");
        assertEquals(List.of(9), b.evidencePages());
        assertTrue(b.problems().contains("no 'Answer:' line; the reply is taken as the answer"));
        assertTrue(b.problems().contains("evidence taken from page mentions in the answer"));
    }

    @Test
    void malformedCitationsAreDroppedWithAReason() {
        ParsedAnswer a = parse("Answer: blue\nEvidence pages: 0, 3, 99, 5-2, 1-900, page seven");
        assertEquals(List.of(3), a.evidencePages());
        assertTrue(a.problems().contains("cited page 0 is outside pages 1-40"), a.problems().toString());
        assertTrue(a.problems().contains("cited page 99 is outside pages 1-40"));
        assertTrue(a.problems().stream().anyMatch(p -> p.startsWith("ignored page range 5-2")));
        assertTrue(a.problems().stream().anyMatch(p -> p.startsWith("ignored page range 1-900")));
        ParsedAnswer words = parse("Answer: blue\nEvidence pages: the introduction");
        assertEquals(List.of(), words.evidencePages());
        assertEquals(List.of("evidence line has no page numbers: the introduction"), words.problems());
    }

    @Test
    void chunkRepliesMayOnlyCiteTheirChunk() {
        ParsedAnswer a = AnswerParser.parse("Answer: x\nEvidence pages: 3, 120, 125", 100, 150);
        assertEquals(List.of(120, 125), a.evidencePages());
        assertEquals(List.of("cited page 3 is outside pages 100-150"), a.problems());
    }

    @Test
    void notAnswerableVariantsAreNormalised() {
        for (String s : List.of("Answer: Not answerable\nEvidence pages: none", "Answer: unanswerable.\nEvidence pages: N/A",
                "Answer: **Not answerable**\nEvidence pages: -")) {
            ParsedAnswer a = parse(s);
            assertEquals("Not answerable", a.answer(), s);
            assertFalse(a.answerable());
            assertEquals(List.of(), a.evidencePages());
            assertEquals(List.of(), a.problems(), s);
        }
    }

    @Test
    void jsonRepliesAndThinkingBlocksAreHandled() {
        ParsedAnswer j = parse("{\"answer\": \"Oslo \\\"HQ\\\"\", \"evidence_pages\": [2, 31]}");
        assertEquals("Oslo \"HQ\"", j.answer());
        assertEquals(List.of(2, 31), j.evidencePages());
        ParsedAnswer t = parse("◁think▷Page 4 says Answer: wrong◁/think▷Answer: right\nEvidence pages: 6");
        assertEquals("right", t.answer());
        assertEquals(List.of(6), t.evidencePages());
        ParsedAnswer k = parse("<think>maybe page 8</think>\nAnswer: 3\nEvidence pages: 2");
        assertEquals(List.of(2), k.evidencePages());
    }

    @Test
    void emptyOrGarbageRepliesAreResultsWithProblems() {
        ParsedAnswer empty = parse("  ");
        assertEquals("", empty.answer());
        assertEquals(List.of("empty reply"), empty.problems());
        assertFalse(empty.answerable());
        ParsedAnswer garbage = parse("Answer:\nEvidence pages: ");
        assertEquals("", garbage.answer());
        assertTrue(garbage.problems().contains("empty answer"));
    }

    @Test
    void chunkAnswersCombineByRule() {
        ParsedAnswer na = new ParsedAnswer("Not answerable", List.of(), List.of());
        assertEquals("Not answerable", AnswerParser.combine(List.of(na, na)).answer());
        ParsedAnswer one = new ParsedAnswer("1999", List.of(40), List.of());
        ParsedAnswer c = AnswerParser.combine(List.of(na, one, na));
        assertEquals("1999", c.answer());
        assertEquals(List.of(40), c.evidencePages());
        ParsedAnswer other = new ParsedAnswer("2001", List.of(90), List.of());
        ParsedAnswer d = AnswerParser.combine(List.of(one, other));
        assertEquals("1999", d.answer());
        assertEquals(List.of(40, 90), d.evidencePages());
        assertEquals(1, d.problems().size());
    }
}
