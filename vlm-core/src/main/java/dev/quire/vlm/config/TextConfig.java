package dev.quire.vlm.config;

/**
 * The DeepSeek-V3-style decoder: multi-head latent attention (optional q LoRA), interleaved RoPE, dense first
 * layers, then mixture-of-experts layers with a sigmoid top-k router, a selection-only correction bias and
 * shared experts. A dense model is the same with {@code nRoutedExperts == 0}. From {@code text_config}.
 */
public record TextConfig(int hiddenSize, int numLayers, int numHeads, int vocabSize, int qLoraRank, int kvLoraRank,
                         int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim, int intermediateSize,
                         int moeIntermediateSize, int nRoutedExperts, int numExpertsPerTok, int nSharedExperts,
                         int firstKDenseReplace, int moeLayerFreq, String scoringFunc, boolean normTopkProb,
                         double routedScalingFactor, int nGroup, int topkGroup, double ropeTheta,
                         int maxPositionEmbeddings, double rmsNormEps, boolean tieWordEmbeddings,
                         int bosTokenId, int eosTokenId) {

    public TextConfig {
        Json.positive(hiddenSize, "text_config.hidden_size");
        Json.positive(numHeads, "text_config.num_attention_heads");
        Json.positive(kvLoraRank, "text_config.kv_lora_rank");
        if (qkRopeHeadDim % 2 != 0) {
            throw new ConfigError("text_config.qk_rope_head_dim must be even, got " + qkRopeHeadDim);
        }
        if (nRoutedExperts > 0 && (numExpertsPerTok <= 0 || numExpertsPerTok > nRoutedExperts)) {
            throw new ConfigError("text_config.num_experts_per_tok " + numExpertsPerTok + " must be in 1.."
                    + nRoutedExperts);
        }
        if (nRoutedExperts > 0 && !scoringFunc.equals("sigmoid") && !scoringFunc.equals("softmax")) {
            throw new ConfigError("text_config.scoring_func \"" + scoringFunc + "\" is not supported (sigmoid, softmax)");
        }
        if (nGroup > 1 && nRoutedExperts % nGroup != 0) {
            throw new ConfigError("text_config.n_routed_experts " + nRoutedExperts + " is not divisible by n_group " + nGroup);
        }
    }

    static TextConfig from(Json t, boolean topLevelTie) {
        if (t.has("rope_scaling")) {
            throw new ConfigError(t.where() + ".rope_scaling is set; scaled RoPE (YaRN) is not supported yet");
        }
        return new TextConfig(t.integer("hidden_size"), t.integer("num_hidden_layers"), t.integer("num_attention_heads"),
                t.integer("vocab_size"), t.optionalInteger("q_lora_rank"), t.integer("kv_lora_rank"),
                t.integer("qk_nope_head_dim"), t.integer("qk_rope_head_dim"), t.integer("v_head_dim"),
                t.integer("intermediate_size"), t.integer("moe_intermediate_size", 0), t.optionalInteger("n_routed_experts"),
                t.integer("num_experts_per_tok", 0), t.optionalInteger("n_shared_experts"),
                t.integer("first_k_dense_replace", 0), t.integer("moe_layer_freq", 1), t.text("scoring_func", "sigmoid"),
                t.bool("norm_topk_prob", true), t.number("routed_scaling_factor", 1.0), t.integer("n_group", 1),
                t.integer("topk_group", 1), t.number("rope_theta", 10000.0), t.integer("max_position_embeddings"),
                t.number("rms_norm_eps", 1e-6), t.bool("tie_word_embeddings", topLevelTie),
                t.integer("bos_token_id", -1), t.integer("eos_token_id", -1));
    }

    public int qHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    /** Whether layer {@code i} has routed experts (else it is a dense SwiGLU of {@code intermediateSize}). */
    public boolean isMoeLayer(int i) {
        return nRoutedExperts > 0 && i >= firstKDenseReplace && i % moeLayerFreq == 0;
    }

    /** Values cached per token per layer: the compressed KV latent plus the shared rotary key. */
    public int latentCacheWidth() {
        return kvLoraRank + qkRopeHeadDim;
    }

    long attentionParameters() {
        long h = hiddenSize;
        long q = qLoraRank > 0
                ? h * qLoraRank + qLoraRank + (long) qLoraRank * numHeads * qHeadDim()
                : h * numHeads * qHeadDim();
        return q + h * (kvLoraRank + qkRopeHeadDim) + kvLoraRank
                + (long) kvLoraRank * numHeads * (qkNopeHeadDim + vHeadDim) + (long) numHeads * vHeadDim * h;
    }

    /** Parameters of layer {@code i}; with {@code activeOnly}, routed experts count only the top-k used per token. */
    long layerParameters(int i, boolean activeOnly) {
        long h = hiddenSize;
        long mlp;
        if (isMoeLayer(i)) {
            long expert = 3 * h * moeIntermediateSize;
            long routed = activeOnly ? numExpertsPerTok : nRoutedExperts;
            mlp = (long) nRoutedExperts * h + nRoutedExperts + routed * expert + nSharedExperts * expert;
        } else {
            mlp = 3 * h * intermediateSize;
        }
        return 2 * h + attentionParameters() + mlp;
    }
}
