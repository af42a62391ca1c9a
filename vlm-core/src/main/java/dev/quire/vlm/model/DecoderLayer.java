package dev.quire.vlm.model;

import dev.quire.vlm.config.TextConfig;
import org.bytedeco.pytorch.Tensor;

/** Pre-norm residual layer: x += attn(RMS(x)); x += mlp(RMS(x)), the MLP dense or mixture-of-experts. (T, H) → (T, H). */
final class DecoderLayer {
    private final TextConfig c;
    private final Tensor inputNorm, postNorm;
    private final LatentAttention attention;
    private final SwiGlu dense;
    private final MoeLayer moe;
    private final int index;

    DecoderLayer(Weights w, TextConfig c, int index, long scoreBudget) {
        this.c = c;
        this.index = index;
        String p = WeightLayout.TEXT + "model.layers." + index + ".";
        inputNorm = w.f32(p + "input_layernorm.weight", c.hiddenSize());
        postNorm = w.f32(p + "post_attention_layernorm.weight", c.hiddenSize());
        attention = new LatentAttention(w, c, p + "self_attn.", scoreBudget);
        if (c.isMoeLayer(index)) {
            moe = new MoeLayer(w, c, p + "mlp.");
            dense = null;
        } else {
            dense = new SwiGlu(w, p + "mlp.", c.hiddenSize(), c.intermediateSize());
            moe = null;
        }
    }

    MoeLayer moe() {
        return moe;
    }

    void products(java.util.List<Tensor> matrices, java.util.List<Tensor> perHead) {
        attention.products(matrices, perHead);
        if (moe != null) {
            moe.products(matrices);
        } else {
            dense.products(matrices);
        }
    }

    /** Rows of one or more sequences ({@link Segment}s, in row order), each row turned by its own position. */
    Tensor apply(Tensor x, java.util.List<Segment> segments, TextRope.Angles angles) {
        RuntimeCalls.add(2);
        x = x.add(attention.apply(Norms.rmsNorm(x, inputNorm, c.rmsNormEps()), segments, angles, index));
        Tensor h = Norms.rmsNorm(x, postNorm, c.rmsNormEps());
        return x.add(moe != null ? moe.apply(h) : dense.apply(h));
    }
}
