package dev.quire.batch.eval;

import java.util.List;

/**
 * One question of a run as reports read it (built from an {@code eval_item} row).
 *
 * @param gold      the gold answer (MMLongBench-Doc) or gold answers joined for display (ANLS)
 * @param grounding {@link dev.quire.layout.text.Grounding.Verdict} name, or null when not checked
 */
public record EvalRow(String key, String docId, String docType, Integer docPages, String question, String format,
                      String gold, List<Integer> evidencePages, List<String> evidenceSources, String status, String pred,
                      Double score, String note, String grounding) {
    public boolean scored() {
        return "SCORED".equals(status) && score != null;
    }
}
