package dev.quire.vlm.model;

import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.config.TextConfig;
import dev.quire.vlm.config.VisionConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Every weight tensor a Kimi-VL checkpoint holds for a configuration, with the Hugging Face names and shapes
 * (the published checkpoint's 5679 tensors are these plus 27 stored rotary {@code inv_freq} buffers, which are
 * recomputed and so not listed). The loader, the demo checkpoint and checkpoint validation share this list.
 */
public record WeightLayout(List<TensorSpec> tensors) {

    /** One weight: its checkpoint name and shape. */
    public record TensorSpec(String name, long... shape) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    public static final String TEXT = "language_model.";
    public static final String VISION = "vision_tower.";
    public static final String PROJECTOR = "multi_modal_projector.";

    public static WeightLayout of(ModelConfig config) {
        List<TensorSpec> t = new ArrayList<>();
        vision(config.vision(), t);
        projector(config, t);
        text(config.text(), t);
        return new WeightLayout(List.copyOf(t));
    }

    public long elements() {
        return tensors.stream().mapToLong(TensorSpec::elements).sum();
    }

    private static void vision(VisionConfig v, List<TensorSpec> t) {
        long d = v.hiddenSize();
        long i = v.intermediateSize();
        t.add(new TensorSpec(VISION + "patch_embed.proj.weight", d, 3, v.patchSize(), v.patchSize()));
        t.add(new TensorSpec(VISION + "patch_embed.proj.bias", d));
        t.add(new TensorSpec(VISION + "patch_embed.pos_emb.weight", v.posEmbHeight(), v.posEmbWidth(), d));
        for (int b = 0; b < v.numLayers(); b++) {
            String p = VISION + "encoder.blocks." + b + ".";
            t.add(new TensorSpec(p + "norm0.weight", d));
            t.add(new TensorSpec(p + "norm0.bias", d));
            t.add(new TensorSpec(p + "norm1.weight", d));
            t.add(new TensorSpec(p + "norm1.bias", d));
            t.add(new TensorSpec(p + "wqkv.weight", 3 * d, d));
            t.add(new TensorSpec(p + "wqkv.bias", 3 * d));
            t.add(new TensorSpec(p + "wo.weight", d, d));
            t.add(new TensorSpec(p + "wo.bias", d));
            t.add(new TensorSpec(p + "mlp.fc0.weight", i, d));
            t.add(new TensorSpec(p + "mlp.fc0.bias", i));
            t.add(new TensorSpec(p + "mlp.fc1.weight", d, i));
            t.add(new TensorSpec(p + "mlp.fc1.bias", d));
        }
        t.add(new TensorSpec(VISION + "encoder.final_layernorm.weight", d));
        t.add(new TensorSpec(VISION + "encoder.final_layernorm.bias", d));
    }

    private static void projector(ModelConfig c, List<TensorSpec> t) {
        long d = c.vision().hiddenSize();
        long m = c.vision().mergedSize();
        long h = c.text().hiddenSize();
        t.add(new TensorSpec(PROJECTOR + "pre_norm.weight", d));
        t.add(new TensorSpec(PROJECTOR + "pre_norm.bias", d));
        t.add(new TensorSpec(PROJECTOR + "linear_1.weight", m, m));
        t.add(new TensorSpec(PROJECTOR + "linear_1.bias", m));
        t.add(new TensorSpec(PROJECTOR + "linear_2.weight", h, m));
        t.add(new TensorSpec(PROJECTOR + "linear_2.bias", h));
    }

    private static void text(TextConfig c, List<TensorSpec> t) {
        long h = c.hiddenSize();
        long heads = c.numHeads();
        t.add(new TensorSpec(TEXT + "model.embed_tokens.weight", c.vocabSize(), h));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = TEXT + "model.layers." + l + ".";
            t.add(new TensorSpec(p + "input_layernorm.weight", h));
            t.add(new TensorSpec(p + "post_attention_layernorm.weight", h));
            if (c.qLoraRank() > 0) {
                t.add(new TensorSpec(p + "self_attn.q_a_proj.weight", c.qLoraRank(), h));
                t.add(new TensorSpec(p + "self_attn.q_a_layernorm.weight", c.qLoraRank()));
                t.add(new TensorSpec(p + "self_attn.q_b_proj.weight", heads * c.qHeadDim(), c.qLoraRank()));
            } else {
                t.add(new TensorSpec(p + "self_attn.q_proj.weight", heads * c.qHeadDim(), h));
            }
            t.add(new TensorSpec(p + "self_attn.kv_a_proj_with_mqa.weight", c.kvLoraRank() + c.qkRopeHeadDim(), h));
            t.add(new TensorSpec(p + "self_attn.kv_a_layernorm.weight", c.kvLoraRank()));
            t.add(new TensorSpec(p + "self_attn.kv_b_proj.weight", heads * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank()));
            t.add(new TensorSpec(p + "self_attn.o_proj.weight", h, heads * c.vHeadDim()));
            if (c.isMoeLayer(l)) {
                long e = c.nRoutedExperts();
                long mi = c.moeIntermediateSize();
                t.add(new TensorSpec(p + "mlp.gate.weight", e, h));
                t.add(new TensorSpec(p + "mlp.gate.e_score_correction_bias", e));
                for (int x = 0; x < e; x++) {
                    swiglu(p + "mlp.experts." + x + ".", h, mi, t);
                }
                if (c.nSharedExperts() > 0) {
                    swiglu(p + "mlp.shared_experts.", h, mi * c.nSharedExperts(), t);
                }
            } else {
                swiglu(p + "mlp.", h, c.intermediateSize(), t);
            }
        }
        t.add(new TensorSpec(TEXT + "model.norm.weight", h));
        if (!c.tieWordEmbeddings()) {
            t.add(new TensorSpec(TEXT + "lm_head.weight", c.vocabSize(), h));
        }
    }

    private static void swiglu(String prefix, long h, long inner, List<TensorSpec> t) {
        t.add(new TensorSpec(prefix + "gate_proj.weight", inner, h));
        t.add(new TensorSpec(prefix + "up_proj.weight", inner, h));
        t.add(new TensorSpec(prefix + "down_proj.weight", h, inner));
    }
}
