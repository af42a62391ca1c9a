package dev.quire.batch.cli;

import dev.quire.batch.QuireConfig;
import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.checkpoint.WeightDigests;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.config.TextConfig;
import dev.quire.vlm.config.VisionConfig;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.image.ImageProcessorConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.vlm.engine.EmbeddedEngine;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerateResult;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.engine.PromptPart;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "vlm", mixinStandardHelpOptions = true, description = "Vision-language model checkpoints.",
        subcommands = {VlmCommand.Inspect.class, VlmCommand.Generate.class})
public class VlmCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Ask the embedded model one question about images and print the answer and timings.")
    public static class Generate implements Callable<Integer> {
        @Option(names = "--model", description = "checkpoint folder, or 'demo' (default: quire.vlm.model)")
        String model;

        @Option(names = "--image", description = "image file (PNG/JPEG); repeat for several, in order")
        List<Path> images = new ArrayList<>();

        @Option(names = "--prompt", required = true, description = "the question")
        String prompt;

        @Option(names = "--system", description = "system text (default: the chat template's own, \"You are a helpful assistant\")")
        String system;

        @Option(names = "--max-new-tokens", defaultValue = "64")
        int maxNewTokens;

        @Option(names = "--device", description = "auto | cpu | cuda[:N] (default: quire.vlm.device)")
        String device;

        @Option(names = "--dtype", description = "compute precision: auto | float32 | bfloat16 | float16 (default: quire.vlm.dtype)")
        String dtype;

        @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy")
        double temperature;

        @Option(names = "--top-p", defaultValue = "1")
        double topP;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--logits-out", description = "write the logits of the first generated position as a JSON array")
        Path logitsOut;

        private final QuireConfig config;

        public Generate(QuireConfig config) {
            this.config = config;
        }

        @Override
        public Integer call() throws Exception {
            Path dir = config.modelDir(model != null ? model : config.vlm().model());
            List<PromptPart> parts = new ArrayList<>();
            for (Path img : images) {
                BufferedImage pixels = ImageIO.read(img.toFile());
                if (pixels == null) {
                    System.err.println("quire vlm generate: " + img + " is not a readable PNG or JPEG image");
                    return 2;
                }
                parts.add(PromptPart.image(pixels));
            }
            parts.add(PromptPart.text(prompt));
            try (EmbeddedEngine engine = new EmbeddedEngine(dir, device != null ? device : config.vlm().device(),
                    dtype != null ? dtype : config.vlm().dtype(), WeightDigests.inHome(config.home(), System.err))) {
                System.err.println("device: " + engine.deviceReason());
                System.err.println("precision: " + engine.precision().id() + " (" + engine.precision().reason() + ")");
                GenerationOptions o = GenerationOptions.greedy(maxNewTokens)
                        .withSampling(temperature, topP, seed)
                        .withPrefillChunk(config.vlm().effectivePrefillChunk())
                        .withLogprobs(false, logitsOut != null)
                        .withListener((id, delta) -> {
                            System.out.print(delta);
                            System.out.flush();
                        });
                GenerateResult r = engine.generate(new GenerateRequest(system, parts, o));
                System.out.println();
                GenerateResult.Timings t = r.timings();
                System.err.printf(Locale.ROOT, "model %s%n%d prompt tokens, %d generated (%s); vision %.0f ms, prefill %.0f ms "
                                + "(%.1f tokens/s), decode %.0f ms (%.1f tokens/s)%n", r.model(), r.promptTokens(),
                        r.tokens().length, r.stopReason(), t.visionNanos() / 1e6, t.prefillNanos() / 1e6,
                        r.promptTokens() / (t.prefillNanos() / 1e9), t.decodeNanos() / 1e6, t.decodeTokensPerSecond());
                if (logitsOut != null) {
                    Files.writeString(logitsOut, new ObjectMapper().writeValueAsString(r.firstLogits()));
                    System.err.println("first-position logits (" + r.firstLogits().length + ") written to " + logitsOut);
                }
                return 0;
            }
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print a checkpoint's configuration and parameter counts (total and active per token) "
                    + "without loading its weights.")
    public static class Inspect implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "checkpoint folder, or 'demo'")
        String model;

        private final QuireConfig config;

        public Inspect(QuireConfig config) {
            this.config = config;
        }

        @Override
        public Integer call() {
            Path dir = config.modelDir(model);
            if (!Files.isDirectory(dir)) {
                System.err.println("quire vlm inspect: " + dir + " is not a folder");
                return 2;
            }
            ModelConfig c = Checkpoint.readConfig(dir);
            ImageProcessorConfig p = ImageProcessorConfig.read(dir.resolve("preprocessor_config.json"));
            VisionConfig v = c.vision();
            TextConfig t = c.text();
            ModelConfig.ParameterCount n = c.parameters();
            System.out.println("checkpoint  " + dir.toAbsolutePath()
                    + (DemoCheckpoint.isDemo(dir) ? "   [DEMO MODEL: random weights, answers are not meaningful]" : ""));
            System.out.printf(Locale.ROOT, "vision      MoonViT: %d layers, hidden %d, %d heads (dim %d), MLP %d, patch %d, "
                            + "pos-emb %dx%d, merge %dx%d%n", v.numLayers(), v.hiddenSize(), v.numHeads(), v.headDim(),
                    v.intermediateSize(), v.patchSize(), v.posEmbHeight(), v.posEmbWidth(), v.mergeHeight(), v.mergeWidth());
            System.out.printf(Locale.ROOT, "processor   %d patches per image max (%d tokens), align %d px, %s%n",
                    p.geometry().inTokenLimit(), p.geometry().inTokenLimit() / (v.mergeHeight() * v.mergeWidth()),
                    p.geometry().alignWidth(), p.geometry().padInput() ? "pad" : "center-crop");
            System.out.printf(Locale.ROOT, "decoder     %d layers, hidden %d, %d heads, MLA kv_lora %d%s, rope %d (theta %.0f), "
                            + "context %d, vocab %d%n", t.numLayers(), t.hiddenSize(), t.numHeads(), t.kvLoraRank(),
                    t.qLoraRank() > 0 ? ", q_lora " + t.qLoraRank() : "", t.qkRopeHeadDim(), t.ropeTheta(),
                    t.maxPositionEmbeddings(), t.vocabSize());
            if (t.nRoutedExperts() > 0) {
                System.out.printf(Locale.ROOT, "experts     %d routed (top-%d, %s, scale %.3f) + %d shared of width %d; "
                                + "first %d layer(s) dense (width %d)%n", t.nRoutedExperts(), t.numExpertsPerTok(),
                        t.scoringFunc(), t.routedScalingFactor(), t.nSharedExperts(), t.moeIntermediateSize(),
                        t.firstKDenseReplace(), t.intermediateSize());
            } else {
                System.out.printf(Locale.ROOT, "mlp         dense SwiGLU of width %d%n", t.intermediateSize());
            }
            System.out.printf(Locale.ROOT, "parameters  %,d total (vision %,d, projector %,d, decoder %,d); %,d active per token%n",
                    n.total(), n.vision(), n.projector(), n.text(), n.activePerToken());
            System.out.printf(Locale.ROOT, "kv cache    %d latent values per token per layer: %,d bytes/token in bf16 "
                            + "(%.2f GiB at %d tokens)%n", t.latentCacheWidth(),
                    (long) t.latentCacheWidth() * t.numLayers() * 2,
                    (double) t.latentCacheWidth() * t.numLayers() * 2 * t.maxPositionEmbeddings() / (1L << 30),
                    t.maxPositionEmbeddings());
            return 0;
        }
    }
}
