package dev.quire.vlm.model;

import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * MoonViT's 2D rotary positions: a head of dimension d has d/2 complex pairs of adjacent channels; pair 2i
 * turns by column × θ^(−4i/d), pair 2i+1 by row × θ^(−4i/d). Same table for every layer and head.
 * Applied to (L, heads, d).
 */
final class Rope2D {
    private final Tensor cos; // (L, 1, d/2)
    private final Tensor sin;

    Rope2D(List<int[]> grids, int headDim, double theta) {
        int pairs = headDim / 2;
        int total = grids.stream().mapToInt(g -> g[0] * g[1]).sum();
        float[] c = new float[total * pairs];
        float[] s = new float[total * pairs];
        double[] freq = new double[pairs]; // pair k turns by θ^(−4⌊k/2⌋/d)
        for (int k = 0; k < pairs; k++) {
            freq[k] = Math.pow(theta, -4.0 * (k / 2) / headDim);
        }
        int at = 0;
        for (int[] g : grids) {
            for (int r = 0; r < g[0]; r++) {
                for (int col = 0; col < g[1]; col++) {
                    for (int k = 0; k < pairs; k++) {
                        double angle = (k % 2 == 0 ? col : r) * freq[k];
                        c[at * pairs + k] = (float) Math.cos(angle);
                        s[at * pairs + k] = (float) Math.sin(angle);
                    }
                    at++;
                }
            }
        }
        this.cos = torch.tensor(c).reshape(total, 1, pairs);
        this.sin = torch.tensor(s).reshape(total, 1, pairs);
    }

    Tensor apply(Tensor x) {
        return rotatePairs(x, cos.to(x.device(), cos.scalar_type()), sin.to(x.device(), sin.scalar_type()));
    }

    /** Rotates adjacent channel pairs (2k, 2k+1) of the last dim by the given cos/sin (broadcast). */
    static Tensor rotatePairs(Tensor x, Tensor cos, Tensor sin) {
        long[] shape = new long[(int) x.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = x.size(i);
        }
        long last = shape[shape.length - 1];
        long[] pairShape = java.util.Arrays.copyOf(shape, shape.length + 1);
        pairShape[shape.length - 1] = last / 2;
        pairShape[shape.length] = 2;
        Tensor p = x.reshape(pairShape);
        Tensor re = p.select(-1, 0);
        Tensor im = p.select(-1, 1);
        Tensor outRe = re.mul(cos).sub(im.mul(sin));
        Tensor outIm = re.mul(sin).add(im.mul(cos));
        return torch.stack(new TensorVector(outRe, outIm), -1).reshape(shape);
    }
}
