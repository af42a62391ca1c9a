package dev.quire.batch.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hand-written cases, each with the score the benchmark's own script gives (the MMLongBench-Doc cases were
 * checked against {@code eval/eval_score.py}; those marked {@code "official": "raises"} are where that script stops
 * with an exception and we score 0 and go on). Scores must agree to the last bit, not within a tolerance.
 */
class OfficialScoreCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> cases(String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(
                OfficialScoreCasesTest.class.getResourceAsStream("/eval/" + name), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> mmlongbenchCasesScoreAsTheOfficialScript() throws Exception {
        return cases("mmlongbench-cases.jsonl").stream().map(c -> DynamicTest.dynamicTest(c.get("why").asText(), () -> {
            var s = MmlbScorer.score(c.get("gold").asText(), c.get("pred").asText(), c.get("format").asText());
            assertEquals(c.get("score").asDouble(), s.value(), 0.0,
                    () -> c.get("gold") + " vs " + c.get("pred") + " (" + c.get("format") + ")");
            if (c.has("official")) {
                assertNotNull(s.note(), "a deviation from the official script must say so");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> anlsCasesScoreAsTheCompetitionScript() throws Exception {
        return cases("anls-cases.jsonl").stream().map(c -> DynamicTest.dynamicTest(c.get("why").asText(), () -> {
            List<String> golds = new ArrayList<>();
            c.get("answers").forEach(a -> golds.add(a.asText()));
            assertEquals(c.get("score").asDouble(), Anls.score(golds, c.get("pred").asText()), 0.0,
                    () -> golds + " vs " + c.get("pred"));
        }));
    }

    @Test
    void atLeastEightyHandWrittenCases() throws Exception {
        int n = cases("mmlongbench-cases.jsonl").size() + cases("anls-cases.jsonl").size();
        assertTrue(n >= 80, n + " cases");
        // every answer format is covered
        for (String f : List.of("Int", "Float", "Str", "None", "List")) {
            assertTrue(cases("mmlongbench-cases.jsonl").stream().anyMatch(c -> c.get("format").asText().equals(f)), f);
        }
    }

    /** Sanity anchor: "Not answerable" to all 1,082 questions (223 unanswerable) → accuracy 20.6 %, F1 0. */
    @Test
    void notAnswerableToEverythingGivesTwentyPointSixPercentAndNoF1() {
        List<MmlbAggregate.Item> items = new ArrayList<>();
        for (int i = 0; i < 1082; i++) {
            String gold = i < 223 ? MmlbScorer.NOT_ANSWERABLE : "answer " + i;
            String format = i < 223 ? "None" : "Str";
            String pred = MmlbScorer.NOT_ANSWERABLE;
            items.add(new MmlbAggregate.Item(gold, pred, MmlbScorer.score(gold, pred, format).value()));
        }
        MmlbAggregate a = MmlbAggregate.of(items);
        assertEquals(223.0 / 1082, a.accuracy(), 0.0);
        assertEquals("20.6", String.format("%.1f", 100 * a.accuracy()));
        assertEquals(0.0, a.f1(), 0.0);
    }

    @Test
    void generalisedF1CountsPredictionsThatAreNotNotAnswerable() {
        // 2 answerable (scores 1 and 0.5), 1 unanswerable answered correctly; one prediction is "Not answerable"
        List<MmlbAggregate.Item> items = List.of(
                new MmlbAggregate.Item("a", "a", 1.0),
                new MmlbAggregate.Item("b", "bx", 0.5),
                new MmlbAggregate.Item("Not answerable", "Not answerable", 1.0));
        MmlbAggregate a = MmlbAggregate.of(items);
        assertEquals(2.5 / 3, a.accuracy(), 0.0);
        assertEquals(0.75, a.recall(), 0.0);
        assertEquals(0.75, a.precision(), 0.0);
        assertEquals(2 * 0.75 * 0.75 / 1.5, a.f1(), 0.0);
    }

    @Test
    void extractedAnswerIsReadAsTheOfficialRunReadsIt() {
        assertEquals("10", MmlbScorer.extractedAnswer("Extracted answer: 10\nAnswer format: Integer").orElseThrow());
        assertEquals("['a', 'b']", MmlbScorer.extractedAnswer("```\nExtracted answer: ['a', 'b']\nAnswer format: List\n```").orElseThrow());
        assertEquals("x", MmlbScorer.extractedAnswer("Extracted answer: x Extracted answer: y").orElseThrow());
        assertTrue(MmlbScorer.extractedAnswer("The answer is 10").isEmpty());
        assertTrue(MmlbScorer.extractedAnswer("Answer format: Int\nExtracted answer: 3").isEmpty());
    }

    @Test
    void pythonFloatReprDecidesTheRoundingPrecision() {
        assertEquals("0.1829", PyNumber.repr(0.1829));
        assertEquals("1e-05", PyNumber.repr(1e-5));
        assertEquals("1.5e-05", PyNumber.repr(1.5e-5));
        assertEquals("0.0001", PyNumber.repr(1e-4));
        assertEquals("1000000000000000.0", PyNumber.repr(1e15));
        assertEquals("1e+16", PyNumber.repr(1e16));
        assertEquals("0.30000000000000004", PyNumber.repr(0.1 + 0.2));
        assertEquals("-2.5", PyNumber.repr(-2.5));
        assertEquals(3, MmlbScorer.decimals(1e-5));
        assertEquals(5, MmlbScorer.decimals(1.5e-5));
        assertEquals(2.67, PyNumber.round(2.675, 2), 0.0); // binary 2.67499999…
        assertEquals(0.12, PyNumber.round(0.125, 2), 0.0); // exact tie, half-even
    }

    @Test
    void literalsReadAsPythonReadsThem() throws Exception {
        assertEquals("[3, 5]", PyLiteral.repr(PyLiteral.parse("[3, 5]")));
        assertEquals("['Chart', 'Table']", PyLiteral.repr(PyLiteral.parse("['Chart', \"Table\"]")));
        assertEquals("[\"it's\", 'a\\nb']", PyLiteral.repr(PyLiteral.parse("['it\\'s', 'a\\nb']")));
        assertEquals("[(1,), -2.0, None, True]", PyLiteral.repr(PyLiteral.parse("[(1,), -2., None, True]")));
        assertEquals("[255, 'ab']", PyLiteral.repr(PyLiteral.parse("[0xff, 'a' 'b']")));
        for (String bad : List.of("[a, b]", "[1, 2", "['x'", "[1+1]", "[007]", "")) {
            org.junit.jupiter.api.Assertions.assertThrows(PyLiteral.Malformed.class, () -> PyLiteral.parse(bad), bad);
        }
    }
}
