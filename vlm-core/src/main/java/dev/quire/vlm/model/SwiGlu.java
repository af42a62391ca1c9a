package dev.quire.vlm.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** down(silu(gate(x)) · up(x)): the dense MLP, each routed expert and the shared experts. (T, H) → (T, H). */
final class SwiGlu {
    private final Linear gate, up, down;

    SwiGlu(Weights w, String prefix, long hidden, long inner) {
        gate = w.linear(prefix + "gate_proj", inner, hidden, false);
        up = w.linear(prefix + "up_proj", inner, hidden, false);
        down = w.linear(prefix + "down_proj", hidden, inner, false);
    }

    void products(java.util.List<Tensor> matrices) {
        matrices.add(gate.weight());
        matrices.add(up.weight());
        matrices.add(down.weight());
    }

    Tensor apply(Tensor x) {
        RuntimeCalls.add(2);
        return down.apply(torch.silu(gate.apply(x)).mul(up.apply(x)));
    }
}
