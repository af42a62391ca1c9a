package dev.quire.vlm.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from logits: argmax at temperature 0, otherwise temperature + top-p with a seeded generator. */
final class Sampler {
    private final double temperature;
    private final double topP;
    private final SplittableRandom random;

    Sampler(double temperature, double topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    int next(float[] logits) {
        if (temperature <= 0) {
            return argmax(logits);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        Integer[] order = null;
        int n = p.length;
        if (topP < 1) {
            order = new Integer[p.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            double[] pp = p;
            Arrays.sort(order, (a, b) -> Double.compare(pp[b], pp[a]));
            double mass = 0;
            n = 0;
            while (n < order.length && mass < topP * sum) {
                mass += p[order[n++]];
            }
            sum = mass;
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < n; i++) {
            int id = order == null ? i : order[i];
            u -= p[id];
            if (u <= 0) {
                return id;
            }
        }
        return order == null ? n - 1 : order[n - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static float logSoftmax(float[] logits, int id) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return (float) (logits[id] - max - Math.log(sum));
    }
}
