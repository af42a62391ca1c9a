package dev.quire.batch.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap over questions: resample the n items with replacement {@code rounds} times, recompute the
 * statistic, take the 2.5th and 97.5th percentiles. Seeded, so a report recomputed from the same rows gives the same
 * interval. For two runs over the same questions the resampling is paired (one index draw serves both runs).
 */
public record Bootstrap(int rounds, long seed) {
    public static final Bootstrap DEFAULT = new Bootstrap(2000, 12);

    public record Interval(double estimate, double low, double high) {
    }

    /** The statistic of all items and its 95 % interval; {@code stat} receives the drawn indices. */
    public Interval interval(int n, ToDoubleFunction<int[]> stat) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        double estimate = stat.applyAsDouble(all);
        if (n == 0) {
            return new Interval(estimate, estimate, estimate);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[rounds];
        int[] draw = new int[n];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < n; i++) {
                draw[i] = random.nextInt(n);
            }
            values[r] = stat.applyAsDouble(draw);
        }
        Arrays.sort(values);
        return new Interval(estimate, percentile(values, 0.025), percentile(values, 0.975));
    }

    /** Linear interpolation between closest ranks (numpy's default). */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
