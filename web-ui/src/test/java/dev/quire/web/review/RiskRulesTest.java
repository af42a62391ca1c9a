package dev.quire.web.review;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.layout.plan.PromptPlan;
import dev.quire.layout.plan.PromptPlan.Item;
import dev.quire.layout.plan.PromptPlan.Kind;
import dev.quire.layout.plan.PromptPlan.Resolution;
import dev.quire.layout.plan.Strategy;
import dev.quire.layout.render.InkBox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The risk rules that read the stored plan and the stored raw output. */
class RiskRulesTest {
    static Item page(int n, Resolution r) {
        return new Item(Kind.PAGE, null, n, r, new InkBox(0, 0, 280, 280), 280, 280, 280, 280, 100);
    }

    static PromptPlan plan(List<Item> items, List<PromptPlan.Skipped> skipped) {
        return new PromptPlan("doc.pdf", 5, "Q?", Strategy.values()[0], Strategy.values()[0], 8000, 128, 64,
                List.of(new PromptPlan.Prompt(PromptPlan.Role.ANSWER, 1, 5, 10, items, 0, 600)), skipped, "", 0);
    }

    @Test
    void aCitedPageOutsideThePromptOrOnlyAThumbnailWasNotSeen() {
        PromptPlan p = plan(List.of(page(1, Resolution.THUMBNAIL), page(2, Resolution.THUMBNAIL), page(2, Resolution.FULL),
                page(3, Resolution.THUMBNAIL)), List.of(new PromptPlan.Skipped(4, "blank page")));
        assertNull(RiskAssessor.notSeen(p, List.of(2)), "page 2 went in at full resolution too");
        assertEquals("page 3 was sent only as a thumbnail", RiskAssessor.notSeen(p, List.of(2, 3)));
        assertEquals("page 4 was not in the prompt (blank page); page 5 was not in the prompt",
                RiskAssessor.notSeen(p, List.of(4, 5)));
    }

    @Test
    void mapReduceChunksThatAnswerDifferentlyDisagree() {
        String agree = "[pages 1-10] Answer: 1,234\nEvidence pages: 3\n[pages 11-20] Answer: 1234\nEvidence pages: 12\n"
                + "[reduce] Answer: 1234\nEvidence pages: 3";
        assertNull(RiskAssessor.chunksDisagree(agree), "the same value spelled differently agrees");
        String differ = "[pages 1-10] Answer: Alice\nEvidence pages: 3\n[pages 11-20] Answer: Bob\nEvidence pages: 12\n"
                + "[pages 21-30] Answer: Not answerable\n[reduce] Answer: Alice\nEvidence pages: 3";
        String why = RiskAssessor.chunksDisagree(differ);
        assertNotNull(why);
        assertTrue(why.contains("pages 1-10: 'Alice'") && why.contains("pages 11-20: 'Bob'"), why);
        assertFalse(why.contains("21-30"), "a chunk that could not answer does not disagree: " + why);
        assertNull(RiskAssessor.chunksDisagree("Answer: Alice\nEvidence pages: 3"), "not a map-reduce answer");
        assertNull(RiskAssessor.chunksDisagree(null));
    }

    @Test
    void aMeanTokenLogProbBelowTheThresholdIsLowConfidenceAndNoneIsNoBadge() {
        assertEquals("mean token log-prob -1.94 < threshold -1.00", RiskAssessor.lowConfidence(-1.94f, -1.0));
        assertNull(RiskAssessor.lowConfidence(-0.2f, -1.0));
        assertNull(RiskAssessor.lowConfidence(-1.0f, -1.0), "at the threshold is not below it");
        assertNull(RiskAssessor.lowConfidence(null, -1.0), "an engine that gave no log-probs says nothing about confidence");
        assertNull(RiskAssessor.lowConfidence(Float.NaN, -1.0));
        assertEquals("mean token log-prob -0.50 < threshold -0.25", RiskAssessor.lowConfidence(-0.5f, -0.25), "the threshold is a setting");
    }
}
