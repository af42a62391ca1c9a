package dev.quire.vlm.model;

import dev.quire.vlm.config.TextConfig;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head latent attention in its absorbed form, so the cache holds only latents:
 * q = q_proj(x) (or q_b(RMS(q_a(x))) with q LoRA), split into nope | rope parts;
 * the latent c = RMS(kv_a(x)[:kv_lora]) and the shared rotary key k_r = rope(kv_a(x)[kv_lora:]) are cached;
 * scores = (q_nope·W_uk)·c + rope(q_r)·k_r, scaled by (nope+rope)^-½, causal;
 * out = o_proj((softmax · c)·W_uvᵀ). (T, H) → (T, H).
 */
final class LatentAttention {
    private final TextConfig c;
    private final Linear q, qA, qB, kvA, o;
    private final Tensor qANorm, kvANorm;
    private final Tensor wUk; // (heads, nope, kvLora) float32
    private final Tensor wUv; // (heads, v, kvLora) float32
    private final TextRope rope;
    private final double scale;

    LatentAttention(Weights w, TextConfig c, String prefix) {
        this.c = c;
        long h = c.hiddenSize();
        long heads = c.numHeads();
        if (c.qLoraRank() > 0) {
            q = null;
            qA = w.linear(prefix + "q_a_proj", c.qLoraRank(), h, false);
            qANorm = w.f32(prefix + "q_a_layernorm.weight", c.qLoraRank());
            qB = w.linear(prefix + "q_b_proj", heads * c.qHeadDim(), c.qLoraRank(), false);
        } else {
            q = w.linear(prefix + "q_proj", heads * c.qHeadDim(), h, false);
            qA = null;
            qB = null;
            qANorm = null;
        }
        kvA = w.linear(prefix + "kv_a_proj_with_mqa", c.kvLoraRank() + c.qkRopeHeadDim(), h, false);
        kvANorm = w.f32(prefix + "kv_a_layernorm.weight", c.kvLoraRank());
        Tensor kvB = w.f32(prefix + "kv_b_proj.weight", heads * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank())
                .reshape(heads, c.qkNopeHeadDim() + c.vHeadDim(), c.kvLoraRank());
        wUk = kvB.narrow(1, 0, c.qkNopeHeadDim()).contiguous();
        wUv = kvB.narrow(1, c.qkNopeHeadDim(), c.vHeadDim()).contiguous();
        o = w.linear(prefix + "o_proj", h, heads * c.vHeadDim(), false);
        rope = new TextRope(c.qkRopeHeadDim(), c.ropeTheta());
        scale = 1.0 / Math.sqrt(c.qHeadDim());
    }

    Tensor apply(Tensor x, long start, LatentCache cache, int layer) {
        long t = x.size(0);
        long heads = c.numHeads();
        int nope = c.qkNopeHeadDim();
        int r = c.qkRopeHeadDim();
        int lora = c.kvLoraRank();
        Tensor qs = (q != null ? q.apply(x) : qB.apply(Norms.rmsNorm(qA.apply(x), qANorm, c.rmsNormEps())))
                .reshape(t, heads, c.qHeadDim());
        Tensor qNope = qs.narrow(2, 0, nope);
        Tensor qRope = rope.apply(qs.narrow(2, nope, r), start);
        Tensor kv = kvA.apply(x);
        Tensor latent = Norms.rmsNorm(kv.narrow(1, 0, lora), kvANorm, c.rmsNormEps());
        Tensor kRope = rope.apply(kv.narrow(1, lora, r), start);
        Tensor keys = cache.append(layer, start, torch.cat(new TensorVector(latent, kRope), 1)); // (S, lora + r)
        torch.ScalarType kt = keys.scalar_type();
        long s = keys.size(0);

        Tensor qLatent = torch.einsum("thn,hnk->thk", new TensorVector(qNope, wUk)); // (T, heads, lora)
        Tensor query = torch.cat(new TensorVector(qLatent, qRope), 2).permute(1, 0, 2); // (heads, T, lora + r)
        Tensor scores = query.to(kt).matmul(keys.t()).to(torch.ScalarType.Float).mul(new Scalar(scale)); // (heads, T, S)
        Tensor future = torch.arange(new Scalar((double) s)).unsqueeze(0)
                .gt(torch.arange(new Scalar((double) start), new Scalar((double) (start + t))).unsqueeze(1)); // (T, S)
        future = future.to(x.device(), future.scalar_type());
        Tensor probs = scores.masked_fill(future, new Scalar(Float.NEGATIVE_INFINITY)).softmax(-1);
        Tensor outLatent = probs.to(kt).matmul(keys.narrow(1, 0, lora)).to(torch.ScalarType.Float); // (heads, T, lora)
        Tensor out = torch.einsum("htk,hvk->thv", new TensorVector(outLatent, wUv)); // (T, heads, v)
        return o.apply(out.reshape(t, heads * c.vHeadDim()));
    }
}
