package dev.quire.vlm.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The decoder's rotary positions over the rope part of queries and keys: adjacent channel pairs (2j, 2j+1)
 * turn by position × θ^(−2j/d). (This is the DeepSeek reference's de-interleave + rotate-half, which differs
 * only by a fixed channel permutation applied to both queries and keys, so attention scores are identical.)
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

    /** Rotates x (T, …, dim) for positions start..start+T-1. */
    Tensor apply(Tensor x, long start) {
        int t = (int) x.size(0);
        int pairs = dim / 2;
        float[] c = new float[t * pairs];
        float[] s = new float[t * pairs];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < pairs; j++) {
                double angle = (start + i) * invFreq[j];
                c[i * pairs + j] = (float) Math.cos(angle);
                s[i * pairs + j] = (float) Math.sin(angle);
            }
        }
        long[] shape = new long[(int) x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = t;
        shape[shape.length - 1] = pairs;
        Tensor cos = torch.tensor(c).reshape(shape);
        Tensor sin = torch.tensor(s).reshape(shape);
        cos = cos.to(x.device(), cos.scalar_type());
        sin = sin.to(x.device(), sin.scalar_type());
        return Rope2D.rotatePairs(x, cos, sin);
    }
}
