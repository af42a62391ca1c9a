package dev.quire.vlm.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** The two normalisations: LayerNorm (vision, projector) and RMSNorm (decoder), both in float32 over the last dim. */
final class Norms {
    private Norms() {
    }

    /** (…, d) → (…, d) */
    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return torch.layer_norm(x, new long[] {weight.size(0)}, new TensorOptional(weight), new TensorOptional(bias), eps, false);
    }

    /** (…, d) → (…, d): x · rsqrt(mean(x²) + eps) · w */
    static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        RuntimeCalls.add(6);
        Tensor ms = x.mul(x).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        return x.mul(ms.add(new Scalar(eps)).rsqrt()).mul(weight);
    }
}
