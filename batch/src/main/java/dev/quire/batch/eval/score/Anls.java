package dev.quire.batch.eval.score;

import java.util.List;

/**
 * ANLS as the Robust Reading Competition's DocVQA/InfographicVQA script computes it: both sides normalised by
 * lower-casing, trimming and collapsing whitespace; NL = Levenshtein(normalised) ÷ the longer raw length; the
 * question scores 1 − the smallest NL over its gold answers, or 0 when that is below the threshold (exactly 0.5 stays
 * 0.5 — unlike MMLongBench-Doc's {@link MmlbScorer#anls}, which zeroes ≤ 0.5). A question without gold answers scores
 * 0 (the script would fail on it). lmms-eval measures the raw lengths after upper-casing; that differs only for
 * letters whose capital is longer ("ß"), where we follow the RRC script.
 */
public final class Anls {
    public static final double THRESHOLD = 0.5;

    private Anls() {
    }

    public static double score(List<String> golds, String pred) {
        if (golds.isEmpty()) {
            return 0.0;
        }
        String det = PyStr.collapseSpaces(PyStr.lower(PyStr.strip(pred)));
        double best = Double.POSITIVE_INFINITY;
        for (String gold : golds) {
            String gt = PyStr.collapseSpaces(PyStr.lower(PyStr.strip(gold)));
            int dist = PyStr.levenshtein(det, gt);
            int length = Math.max(PyStr.len(gold), PyStr.len(pred));
            best = Math.min(best, length == 0 ? 0.0 : (double) dist / (double) length);
        }
        double result = 1 - best;
        return result < THRESHOLD ? 0.0 : result;
    }

    /** Mean over questions (0 for none). */
    public static double mean(List<Double> scores) {
        return scores.isEmpty() ? 0.0 : scores.stream().mapToDouble(Double::doubleValue).sum() / scores.size();
    }
}
