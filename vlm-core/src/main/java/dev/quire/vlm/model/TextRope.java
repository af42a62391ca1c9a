package dev.quire.vlm.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The decoder's rotary positions over the rope part of queries and keys: adjacent channel pairs (2j, 2j+1)
 * turn by position × θ^(−2j/d). (This is the DeepSeek reference's de-interleave + rotate-half, which differs
 * only by a fixed channel permutation applied to both queries and keys, so attention scores are identical.)
 * Each row has its own position, so one call rotates the rows of several sequences at once.
 */
final class TextRope {
    private final int dim;
    private final double[] invFreq; // θ^(−2j/d), j < d/2

    TextRope(int dim, double theta) {
        this.dim = dim;
        this.invFreq = new double[dim / 2];
        for (int j = 0; j < invFreq.length; j++) {
            invFreq[j] = Math.pow(theta, -2.0 * j / dim);
        }
    }

    /** The turns for rows at {@code positions}: made once per forward step and shared by every layer. */
    Angles angles(long[] positions, TorchDevice device) {
        int t = positions.length;
        int pairs = dim / 2;
        float[] c = new float[t * pairs];
        float[] s = new float[t * pairs];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < pairs; j++) {
                double angle = positions[i] * invFreq[j];
                c[i * pairs + j] = (float) Math.cos(angle);
                s[i * pairs + j] = (float) Math.sin(angle);
            }
        }
        Tensor cos = torch.tensor(c).reshape(t, 1, pairs);
        Tensor sin = torch.tensor(s).reshape(t, 1, pairs);
        return new Angles(cos.to(device.device(), cos.scalar_type()), sin.to(device.device(), sin.scalar_type()));
    }

    /** cos and sin of each row's turns, (T, 1, d/2). */
    record Angles(Tensor cos, Tensor sin) {
    }

    /** Rotates x (T, n, dim), row i by the angles of row i. */
    static Tensor apply(Tensor x, Angles a) {
        RuntimeCalls.add(11);
        return Rope2D.rotatePairs(x, a.cos(), a.sin());
    }
}
