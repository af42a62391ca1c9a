package dev.quire.vlm.model;

import dev.quire.vlm.config.ModelConfig;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** LayerNorm on each merged sub-vector, then linear → exact (erf) GELU → linear. (T, m²·D) → (T, H). */
final class Projector {
    private final Tensor normW, normB;
    private final Linear linear1, linear2;
    private final long d;

    Projector(Weights w, ModelConfig c) {
        String p = WeightLayout.PROJECTOR;
        d = c.vision().hiddenSize();
        long m = c.vision().mergedSize();
        normW = w.f32(p + "pre_norm.weight", d);
        normB = w.f32(p + "pre_norm.bias", d);
        linear1 = w.linear(p + "linear_1", m, m, true);
        linear2 = w.linear(p + "linear_2", c.text().hiddenSize(), m, true);
    }

    Tensor apply(Tensor x) {
        long t = x.size(0);
        long m = x.size(1);
        Tensor normed = Norms.layerNorm(x.reshape(t * (m / d), d), normW, normB, 1e-5).reshape(t, m);
        return linear2.apply(torch.gelu(linear1.apply(normed)));
    }
}
