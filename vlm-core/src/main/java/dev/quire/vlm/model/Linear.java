package dev.quire.vlm.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** y = x·Wᵀ + b. (…, in) → (…, out). The product runs in the weight's dtype; activations stay float32. */
record Linear(Tensor weight, Tensor bias) {

    Tensor apply(Tensor x) {
        torch.ScalarType wt = weight.scalar_type();
        RuntimeCalls.add(2 + (x.scalar_type() == wt ? 0 : 1) + (wt == torch.ScalarType.Float ? 0 : 1) + (bias == null ? 0 : 1));
        Tensor y = (x.scalar_type() == wt ? x : x.to(wt)).matmul(weight.t());
        if (y.scalar_type() != torch.ScalarType.Float) {
            y = y.to(torch.ScalarType.Float);
        }
        return bias == null ? y : y.add(bias);
    }
}
