package dev.quire.batch.questions;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuestionSetTest {
    @TempDir
    Path tmp;

    @Test
    void yamlWithQuestionsTypedFieldsDemonstrationsAndPlanning() throws Exception {
        Files.createDirectories(tmp.resolve("ex"));
        Path f = Files.writeString(tmp.resolve("invoices.yaml"), """
                system: You read invoices.
                questions:
                  - id: total
                    question: What is the total amount due?
                  - question: Who sent it?
                fields:
                  - name: invoice_date
                    type: date
                    description: The date the invoice was issued
                  - name: lines
                    type: list
                demonstrations:
                  - image: ex/one.png
                    question: What is the total?
                    answer: "1,234.00"
                    evidence_pages: [1]
                plan:
                  context_tokens: 8192
                  answer_tokens: 64
                """);
        QuestionSet qs = QuestionSet.read(f);
        assertEquals("invoices", qs.name(), "named after the file when no name is given");
        List<QuestionSet.Ask> asks = qs.asks();
        assertEquals(List.of("total", "q2", "invoice_date", "lines"), asks.stream().map(QuestionSet.Ask::key).toList());
        assertEquals("What is the invoice date? (The date the invoice was issued) Give the date as YYYY-MM-DD.",
                asks.get(2).question());
        assertEquals(FieldType.LIST, asks.get(3).type());
        assertEquals(tmp.resolve("ex/one.png").toString(), qs.demonstrations().getFirst().image(), "relative to the file");
        assertEquals(List.of(1), qs.demonstrations().getFirst().evidencePages());
        assertEquals(8192, qs.plan().over(dev.quire.layout.plan.PlanSettings.defaults()).contextTokens());
        dev.quire.layout.plan.PlanSettings s = qs.settings(dev.quire.layout.plan.PlanSettings.defaults());
        assertEquals("You read invoices.", s.system(), "the set's system text reaches every prompt it plans and sends");
        assertEquals(64, s.answerTokens());
        assertNull(QuestionSet.single("Q?").settings(dev.quire.layout.plan.PlanSettings.defaults()).system(),
                "no system key: the template's default system turn");
    }

    @Test
    void mistakesNameTheFileAndTheKey() throws Exception {
        Path typo = Files.writeString(tmp.resolve("a.yaml"), "questions:\n  - qeustion: What?\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuestionSet.read(typo));
        assertTrue(e.getMessage().startsWith(typo + ": at questions.[0].qeustion"), e.getMessage());
        Path badType = Files.writeString(tmp.resolve("b.json"), "{\"fields\": [{\"name\": \"x\", \"type\": \"money\"}]}");
        e = assertThrows(IllegalArgumentException.class, () -> QuestionSet.read(badType));
        assertTrue(e.getMessage().contains("fields[0].type: unknown field type 'money'"), e.getMessage());
        Path empty = Files.writeString(tmp.resolve("c.yml"), "name: nothing\n");
        e = assertThrows(IllegalArgumentException.class, () -> QuestionSet.read(empty));
        assertTrue(e.getMessage().endsWith("no questions and no fields: nothing to ask"), e.getMessage());
        Path dup = Files.writeString(tmp.resolve("d.yaml"), "questions:\n  - id: x\n    question: A?\nfields:\n  - name: x\n");
        e = assertThrows(IllegalArgumentException.class, () -> QuestionSet.read(dup));
        assertTrue(e.getMessage().contains("two questions or fields have the key 'x'"), e.getMessage());
        Path txt = Files.writeString(tmp.resolve("e.txt"), "x");
        assertThrows(IllegalArgumentException.class, () -> QuestionSet.read(txt));
    }

    @Test
    void typedValuesParseAsWrittenInDocumentsOrSayWhyNot() {
        assertEquals(1234L, FieldType.INT.parseValue("1,234").value());
        assertEquals(-20L, FieldType.INT.parseValue("(20)").value());
        assertEquals(7L, FieldType.INT.parseValue("7.").value());
        assertFalse(FieldType.INT.parseValue("7.5").ok());
        assertEquals(1234.5, FieldType.FLOAT.parseValue("$1,234.50").value());
        assertEquals(1234.5, FieldType.FLOAT.parseValue("1.234,5 kr").value());
        assertEquals(12.5, FieldType.FLOAT.parseValue("12.5%").value());
        assertEquals("2019-03-12", FieldType.DATE.parseValue("12 March 2019").value());
        assertEquals("2019-03-12", FieldType.DATE.parseValue("March 12th, 2019").value());
        assertEquals("2019-03-12", FieldType.DATE.parseValue("2019-03-12").value());
        assertEquals("'soon' is not a date (expected YYYY-MM-DD)", FieldType.DATE.parseValue("soon").error());
        assertEquals(true, FieldType.BOOLEAN.parseValue("Yes.").value());
        assertEquals(false, FieldType.BOOLEAN.parseValue("no").value());
        assertFalse(FieldType.BOOLEAN.parseValue("maybe").ok());
        assertEquals(List.of("apples", "pears"), FieldType.LIST.parseValue("apples; pears").value());
        assertEquals(List.of("a", "b"), FieldType.LIST.parseValue("- a\n- b").value());
        assertEquals("empty value", FieldType.STRING.parseValue(" ").error());
    }

    @Test
    void questionsMayBePlainStringsWithGeneratedIds() throws Exception {
        Path f = Files.writeString(tmp.resolve("plain.yaml"), """
                questions: ["What is the title?", "Who wrote it?"]
                """);
        QuestionSet qs = QuestionSet.read(f);
        assertEquals(List.of(new QuestionSet.Ask("q1", "What is the title?", null), new QuestionSet.Ask("q2", "Who wrote it?", null)),
                qs.asks());
        Path mixed = Files.writeString(tmp.resolve("mixed.json"), """
                {"questions": ["What is the title?", {"id": "author", "question": "Who wrote it?"}]}
                """);
        assertEquals(List.of("q1", "author"), QuestionSet.read(mixed).asks().stream().map(QuestionSet.Ask::key).toList());
        // stored and read back (as every worker does), a plain-string question keeps its place and id
        String json = QuestionSet.mapper(false).writeValueAsString(qs);
        assertEquals(qs.asks(), QuestionSet.mapper(false).readValue(json, QuestionSet.class).asks());
    }
}
