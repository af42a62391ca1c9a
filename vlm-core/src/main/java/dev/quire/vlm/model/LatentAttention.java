package dev.quire.vlm.model;

import dev.quire.vlm.config.TextConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head latent attention in its absorbed form, so the cache holds only latents:
 * q = q_proj(x) (or q_b(RMS(q_a(x))) with q LoRA), split into nope | rope parts;
 * the latent c = RMS(kv_a(x)[:kv_lora]) and the shared rotary key k_r = rope(kv_a(x)[kv_lora:]) are cached;
 * scores = (q_nope·W_uk)·c + rope(q_r)·k_r, scaled by (nope+rope)^-½, causal;
 * out = o_proj((softmax · c)·W_uvᵀ). (T, H) → (T, H). Queries are processed in blocks whose scores fit
 * a score budget (default {@link #SCORE_BUDGET}), so memory does not grow with chunk × context.
 */
final class LatentAttention {
    /** Default for the most bytes of attention scores held at once (per layer), so long contexts stay within memory. */
    static final long SCORE_BUDGET = 256L << 20;
    private final long scoreBudget;
    private final TextConfig c;
    private final Linear q, qA, qB, kvA, o;
    private final Tensor qANorm, kvANorm;
    private final Tensor wUk; // (heads, nope, kvLora) float32
    private final Tensor wUvT; // (heads, kvLora, v) float32
    private final double scale;

    LatentAttention(Weights w, TextConfig c, String prefix, long scoreBudget) {
        this.c = c;
        this.scoreBudget = scoreBudget;
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
        wUvT = kvB.narrow(1, c.qkNopeHeadDim(), c.vHeadDim()).transpose(1, 2).contiguous();
        o = w.linear(prefix + "o_proj", h, heads * c.vHeadDim(), false);
        scale = 1.0 / Math.sqrt(c.qHeadDim());
    }

    /** The weight products one token makes here: (out, in) matrices, and the absorbed per-head W_uk and W_uvᵀ. */
    void products(List<Tensor> matrices, List<Tensor> perHead) {
        for (Linear l : new Linear[] {q, qA, qB, kvA, o}) {
            if (l != null) {
                matrices.add(l.weight());
            }
        }
        perHead.add(wUk);
        perHead.add(wUvT);
    }

    /**
     * Rows of several sequences at once: the projections run over all rows together; each segment then writes its
     * latents to its own cache and attends over its own positions.
     */
    Tensor apply(Tensor x, java.util.List<Segment> segments, TextRope.Angles angles, int layer) {
        long t = x.size(0);
        long heads = c.numHeads();
        int nope = c.qkNopeHeadDim();
        int r = c.qkRopeHeadDim();
        int lora = c.kvLoraRank();
        Tensor qs = (q != null ? q.apply(x) : qB.apply(Norms.rmsNorm(qA.apply(x), qANorm, c.rmsNormEps())))
                .reshape(t, heads, c.qHeadDim());
        Tensor kv = kvA.apply(x);
        Tensor latent = Norms.rmsNorm(kv.narrow(1, 0, lora), kvANorm, c.rmsNormEps());
        // The rotary parts of the queries and the shared key turn together: the key rides along as one more head.
        Tensor turned = TextRope.apply(torch.cat(new TensorVector(qs.narrow(2, nope, r), kv.narrow(1, lora, r).unsqueeze(1)), 1),
                angles); // (T, heads + 1, r)
        Tensor qRope = turned.narrow(1, 0, heads);
        Tensor kRope = turned.select(1, heads);
        Tensor rowLatents = torch.cat(new TensorVector(latent, kRope), 1); // (T, lora + r)
        Tensor qLatent = qs.narrow(2, 0, nope).permute(1, 0, 2).matmul(wUk); // (heads, T, lora)
        Tensor queryF = torch.cat(new TensorVector(qLatent, qRope.permute(1, 0, 2)), 2); // (heads, T, lora + r)
        RuntimeCalls.add(14);

        List<Tensor> outs = new ArrayList<>();
        long row = 0;
        for (Segment seg : segments) {
            Tensor keys = seg.cache().append(layer, seg.start(), rowLatents.narrow(0, row, seg.count())); // (S, lora + r)
            outs.add(attend(queryF.narrow(1, row, seg.count()), keys, seg.start(), x.is_cuda()));
            RuntimeCalls.add(2);
            row += seg.count();
        }
        Tensor outLatent = outs.size() == 1 ? outs.getFirst() : torch.cat(new TensorVector(outs.toArray(new Tensor[0])), 1);
        Tensor out = outLatent.matmul(wUvT).permute(1, 0, 2); // (T, heads, v)
        RuntimeCalls.add((outs.size() == 1 ? 0 : 1) + 3);
        return o.apply(out.reshape(t, heads * c.vHeadDim()));
    }

    /** One sequence's queries (heads, T, lora + r) at positions start.. over its cached keys (S, lora + r). */
    private Tensor attend(Tensor queryF, Tensor keys, long start, boolean cuda) {
        long t = queryF.size(1);
        long heads = c.numHeads();
        int r = c.qkRopeHeadDim();
        int lora = c.kvLoraRank();
        long s = keys.size(0);
        // Scores and weighted sums run in the cache's precision on CUDA, in float32 on CPU (CPUs without bf16
        // matrix units are many times slower at bf16 GEMMs than at float32 ones; the cache stays compact either way).
        torch.ScalarType work = cuda ? keys.scalar_type() : torch.ScalarType.Float;
        Tensor keysWork = keys.scalar_type() == work ? keys : keys.to(work);
        Tensor query = work == torch.ScalarType.Float ? queryF : queryF.to(work);
        // Scores are (heads × rows × S): take the chunk's queries in blocks so that, whatever the context length,
        // one block's scores stay within SCORE_BUDGET bytes. Row i sees keys 0 .. start + i.
        long rowsPerBlock = Math.max(1, scoreBudget / (4L * heads * s));
        List<Tensor> blocks = new ArrayList<>();
        Tensor keyAll = keysWork.unsqueeze(0); // (1, S, lora + r), broadcast over heads
        Tensor valueAll = keysWork.narrow(1, 0, lora).unsqueeze(0); // (1, S, lora)
        RuntimeCalls.add(3 + (keysWork == keys ? 0 : 1) + (query == queryF ? 0 : 1));
        for (long r0 = 0; r0 < t; r0 += rowsPerBlock) {
            long rows = Math.min(rowsPerBlock, t - r0);
            long visible = start + r0 + rows; // keys any row of this block may see
            long first = start + r0; // row i of the block sees keys 0 .. first + i
            Tensor k = keyAll.narrow(1, 0, visible).expand(heads, visible, lora + r);
            Tensor v = valueAll.narrow(1, 0, visible).expand(heads, visible, lora);
            Tensor qb = query.narrow(1, r0, rows);
            boolean causalFromZero = first == 0;
            TensorOptional mask = new TensorOptional();
            if (!causalFromZero && rows > 1) {
                mask = new TensorOptional(torch.arange(new Scalar((double) visible)).unsqueeze(0)
                        .le(torch.arange(new Scalar((double) first), new Scalar((double) (first + rows))).unsqueeze(1))
                        .to(query.device(), torch.ScalarType.Bool)); // (rows, visible): true = may attend
                RuntimeCalls.add(6);
            }
            // Fused attention (scale, causal mask, softmax, weighted sum) without materialising the scores where the
            // backend has a fused kernel; the value is the latent itself (absorbed MLA).
            Tensor attended = torch.scaled_dot_product_attention(qb, k, v, mask, 0.0, causalFromZero && rows > 1,
                    new DoubleOptional(scale), false); // (heads, rows, lora)
            blocks.add(work == torch.ScalarType.Float ? attended : attended.to(torch.ScalarType.Float));
            RuntimeCalls.add(work == torch.ScalarType.Float ? 6 : 7);
        }
        RuntimeCalls.add(blocks.size() == 1 ? 0 : 1);
        return blocks.size() == 1 ? blocks.getFirst() : torch.cat(new TensorVector(blocks.toArray(new Tensor[0])), 1);
    }
}
