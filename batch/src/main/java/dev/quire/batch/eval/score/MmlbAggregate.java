package dev.quire.batch.eval.score;

import java.util.List;

/**
 * The official aggregates over scored questions: accuracy = mean score; generalised F1 with recall = summed
 * scores of answerable questions ÷ their number and precision = the same sum ÷ the number of predictions that
 * are not exactly "Not answerable"; F1 = 2PR/(P+R), 0 when a denominator is 0 (as the script's blanket
 * {@code except} makes it).
 */
public record MmlbAggregate(int questions, double accuracy, double f1, double recall, double precision) {
    /** One scored question: gold answer, prediction (as extracted), score. */
    public record Item(String gold, String pred, double score) {
    }

    public static MmlbAggregate of(List<Item> items) {
        if (items.isEmpty()) {
            return new MmlbAggregate(0, 0.0, 0.0, 0.0, 0.0);
        }
        double sum = 0;
        double answerableSum = 0;
        int answerable = 0;
        int predicted = 0;
        for (Item i : items) {
            sum += i.score();
            if (!i.gold().equals(MmlbScorer.NOT_ANSWERABLE)) {
                answerableSum += i.score();
                answerable++;
            }
            if (!i.pred().equals(MmlbScorer.NOT_ANSWERABLE)) {
                predicted++;
            }
        }
        double acc = sum / items.size();
        if (answerable == 0 || predicted == 0) {
            return new MmlbAggregate(items.size(), acc, 0.0, answerable == 0 ? 0 : answerableSum / answerable,
                    predicted == 0 ? 0 : answerableSum / predicted);
        }
        double r = answerableSum / answerable;
        double p = answerableSum / predicted;
        double f1 = (r + p) > 0.0 ? 2 * r * p / (r + p) : 0.0;
        return new MmlbAggregate(items.size(), acc, f1, r, p);
    }
}
