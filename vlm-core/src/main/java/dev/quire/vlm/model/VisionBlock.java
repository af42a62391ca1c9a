package dev.quire.vlm.model;

import dev.quire.vlm.config.VisionConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One pre-LN ViT block: x += wo(attn(rope(wqkv(LN0(x))))); x += fc1(gelu_tanh(fc0(LN1(x)))). Attention is
 * bidirectional and block-diagonal: each image attends only to its own patches. (L, D) → (L, D).
 */
final class VisionBlock {
    private static final double EPS = 1e-5;
    private final Tensor norm0w, norm0b, norm1w, norm1b;
    private final Linear wqkv, wo, fc0, fc1;
    private final int heads, headDim;

    VisionBlock(Weights w, VisionConfig c, int index) {
        String p = WeightLayout.VISION + "encoder.blocks." + index + ".";
        long d = c.hiddenSize();
        norm0w = w.f32(p + "norm0.weight", d);
        norm0b = w.f32(p + "norm0.bias", d);
        norm1w = w.f32(p + "norm1.weight", d);
        norm1b = w.f32(p + "norm1.bias", d);
        wqkv = w.linear(p + "wqkv", 3 * d, d, true);
        wo = w.linear(p + "wo", d, d, true);
        fc0 = w.linear(p + "mlp.fc0", c.intermediateSize(), d, true);
        fc1 = w.linear(p + "mlp.fc1", d, c.intermediateSize(), true);
        heads = c.numHeads();
        headDim = c.headDim();
    }

    Tensor apply(Tensor x, Rope2D rope, int[] lengths) {
        long n = x.size(0);
        Tensor qkv = wqkv.apply(Norms.layerNorm(x, norm0w, norm0b, EPS)).reshape(n, 3, heads, headDim);
        Tensor q = rope.apply(qkv.select(1, 0));
        Tensor k = rope.apply(qkv.select(1, 1));
        Tensor v = qkv.select(1, 2);
        List<Tensor> outs = new ArrayList<>(lengths.length);
        long start = 0;
        for (int len : lengths) {
            Tensor qi = q.narrow(0, start, len).permute(1, 0, 2).unsqueeze(0); // (1, heads, len, hd)
            Tensor ki = k.narrow(0, start, len).permute(1, 0, 2).unsqueeze(0);
            Tensor vi = v.narrow(0, start, len).permute(1, 0, 2).unsqueeze(0);
            Tensor o = torch.scaled_dot_product_attention(qi, ki, vi); // scale 1/sqrt(hd)
            outs.add(o.squeeze(0).permute(1, 0, 2).reshape(len, (long) heads * headDim));
            start += len;
        }
        Tensor attn = outs.size() == 1 ? outs.getFirst() : torch.cat(new TensorVector(outs.toArray(new Tensor[0])), 0);
        x = x.add(wo.apply(attn));
        Tensor h = fc0.apply(Norms.layerNorm(x, norm1w, norm1b, EPS));
        return x.add(fc1.apply(torch.gelu(h, "tanh")));
    }
}
