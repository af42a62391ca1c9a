package dev.quire.vlm.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.checkpoint.SafetensorsWriter;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.model.WeightLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The built-in {@code demo} model: a tiny Kimi-VL checkpoint in the real format (config.json,
 * preprocessor_config.json, tiktoken.model, tokenizer_config.json, model.safetensors with every tensor the
 * architecture needs), with small sizes and seeded random weights. Made once, deterministically, so the
 * whole pipeline runs on a fresh machine. Its answers mean nothing; {@code "quire_demo": true} in its config
 * lets every screen and report say so.
 */
public final class DemoCheckpoint {
    public static final String NAME = "demo";
    static final long SEED = 20_250_410L;

    private DemoCheckpoint() {
    }

    /** The demo checkpoint under {@code modelsDir/demo}, made on first use. */
    public static Path ensure(Path modelsDir) {
        Path dir = modelsDir.resolve(NAME);
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        try {
            Files.createDirectories(modelsDir);
            Path tmp = Files.createTempDirectory(modelsDir, ".demo-");
            try {
                write(tmp);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    // Another process made it first (the target exists: FileAlreadyExists, DirectoryNotEmpty): use theirs.
                    if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
                        throw e;
                    }
                }
            } finally {
                deleteTree(tmp);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the demo checkpoint under " + modelsDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sizes and variants of a tiny checkpoint. {@link #DEMO} is the built-in demo; tests write others (dense,
     * q LoRA, grouped routing, float32 weights) through the same writer.
     */
    public record Spec(int visionHidden, int visionLayers, int visionHeads, int posEmb, int textHidden, int textLayers,
                       int heads, int qLoraRank, int kvLoraRank, int nope, int rope, int vDim, int intermediate,
                       int moeIntermediate, int experts, int topK, int shared, int firstDense, int nGroup, int topkGroup,
                       DType dtype, long seed) {
        public Spec withDtype(DType d) {
            return new Spec(visionHidden, visionLayers, visionHeads, posEmb, textHidden, textLayers, heads, qLoraRank,
                    kvLoraRank, nope, rope, vDim, intermediate, moeIntermediate, experts, topK, shared, firstDense, nGroup,
                    topkGroup, d, seed);
        }

        public Spec withExperts(int routed, int k, int groups, int keepGroups) {
            return new Spec(visionHidden, visionLayers, visionHeads, posEmb, textHidden, textLayers, heads, qLoraRank,
                    kvLoraRank, nope, rope, vDim, intermediate, moeIntermediate, routed, k, shared, firstDense, groups,
                    keepGroups, dtype, seed);
        }

        public Spec withQLora(int rank) {
            return new Spec(visionHidden, visionLayers, visionHeads, posEmb, textHidden, textLayers, heads, rank,
                    kvLoraRank, nope, rope, vDim, intermediate, moeIntermediate, experts, topK, shared, firstDense, nGroup,
                    topkGroup, dtype, seed);
        }
    }

    public static final Spec DEMO = new Spec(32, 2, 2, 8, 64, 3, 4, 0, 32, 16, 8, 16, 128, 32, 8, 2, 1, 1, 1, 1,
            DType.BF16, SEED);

    /** Writes all files of the demo checkpoint into {@code dir}. */
    public static void write(Path dir) throws IOException {
        write(dir, DEMO, true);
    }

    /** Writes a tiny checkpoint of {@code spec} into {@code dir}; {@code demo} marks it as the demo model. */
    public static void write(Path dir, Spec spec, boolean demo) throws IOException {
        Files.createDirectories(dir);
        DemoTokenizer.write(dir);
        ObjectMapper json = new ObjectMapper();
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config(json, spec, demo));
        ObjectNode pre = json.createObjectNode();
        pre.put("in_token_limit", 4096);
        pre.putArray("merge_kernel_size").add(2).add(2);
        pre.put("pad_input", true);
        pre.put("patch_size", 14);
        pre.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
        pre.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("preprocessor_config.json").toFile(), pre);
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt").metadata("quire_demo", Boolean.toString(demo));
        SplittableRandom random = new SplittableRandom(spec.seed());
        for (WeightLayout.TensorSpec t : WeightLayout.of(config).tensors()) {
            weights.add(t.name(), spec.dtype(), t.shape(), values(t, random));
        }
        weights.write(dir.resolve("model.safetensors"));
    }

    private static float[] values(WeightLayout.TensorSpec t, SplittableRandom random) {
        float[] v = new float[(int) t.elements()];
        String n = t.name();
        boolean norm = n.contains("norm") && n.endsWith(".weight");
        if (norm) {
            java.util.Arrays.fill(v, 1f);
        } else if (n.endsWith(".bias") || n.endsWith("e_score_correction_bias")) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * 0.01);
            }
        } else {
            double std = n.contains("embed_tokens") || n.contains("pos_emb") ? 0.5 : 0.08;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * std);
            }
        }
        return v;
    }

    private static ObjectNode config(ObjectMapper json, Spec s, boolean demo) {
        int vocab = DemoTokenizer.vocabSize();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("KimiVLForConditionalGeneration");
        c.put("model_type", "kimi_vl");
        c.put("quire_demo", demo);
        c.put("media_placeholder_token_id", DemoTokenizer.specialId("<|media_pad|>"));
        c.put("vocab_size", vocab);
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "bfloat16");
        ObjectNode v = c.putObject("vision_config");
        v.put("model_type", "moonvit");
        v.put("patch_size", 14);
        v.put("hidden_size", s.visionHidden());
        v.put("num_hidden_layers", s.visionLayers());
        v.put("num_attention_heads", s.visionHeads());
        v.put("intermediate_size", 2 * s.visionHidden());
        v.put("init_pos_emb_height", s.posEmb());
        v.put("init_pos_emb_width", s.posEmb());
        v.putArray("merge_kernel_size").add(2).add(2);
        ObjectNode t = c.putObject("text_config");
        t.put("model_type", "deepseek_v3");
        t.put("hidden_size", s.textHidden());
        t.put("num_hidden_layers", s.textLayers());
        t.put("num_attention_heads", s.heads());
        t.put("num_key_value_heads", s.heads());
        t.put("vocab_size", vocab);
        if (s.qLoraRank() > 0) {
            t.put("q_lora_rank", s.qLoraRank());
        } else {
            t.putNull("q_lora_rank");
        }
        t.put("kv_lora_rank", s.kvLoraRank());
        t.put("qk_nope_head_dim", s.nope());
        t.put("qk_rope_head_dim", s.rope());
        t.put("v_head_dim", s.vDim());
        t.put("intermediate_size", s.intermediate());
        t.put("moe_intermediate_size", s.moeIntermediate());
        t.put("n_routed_experts", s.experts());
        t.put("num_experts_per_tok", s.topK());
        t.put("n_shared_experts", s.shared());
        t.put("first_k_dense_replace", s.firstDense());
        t.put("moe_layer_freq", 1);
        t.put("scoring_func", "sigmoid");
        t.put("topk_method", "noaux_tc");
        t.put("n_group", s.nGroup());
        t.put("topk_group", s.topkGroup());
        t.put("norm_topk_prob", true);
        t.put("routed_scaling_factor", 2.446);
        t.put("rope_theta", 800000.0);
        t.putNull("rope_scaling");
        t.put("max_position_embeddings", 131072);
        t.put("rms_norm_eps", 1e-5);
        t.put("hidden_act", "silu");
        t.put("bos_token_id", DemoTokenizer.specialId("[BOS]"));
        t.put("eos_token_id", DemoTokenizer.specialId("[EOS]"));
        return c;
    }

    /** True when {@code configJson}'s folder is the demo checkpoint (its answers are not meaningful). */
    public static boolean isDemo(Path checkpointDir) {
        try {
            return new ObjectMapper().readTree(checkpointDir.resolve("config.json").toFile()).path("quire_demo").asBoolean(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
