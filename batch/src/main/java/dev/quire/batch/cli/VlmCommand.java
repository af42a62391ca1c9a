package dev.quire.batch.cli;

import dev.quire.batch.QuireConfig;
import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.config.TextConfig;
import dev.quire.vlm.config.VisionConfig;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.image.ImageProcessorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "vlm", mixinStandardHelpOptions = true, description = "Vision-language model checkpoints.",
        subcommands = {VlmCommand.Inspect.class})
public class VlmCommand {

    /** {@code demo} → the built-in demo checkpoint under {@code $QUIRE_HOME/models} (made on first use); else a folder. */
    static Path resolveModel(String model, QuireConfig config) {
        if (DemoCheckpoint.NAME.equals(model)) {
            return DemoCheckpoint.ensure(config.home().resolve("models"));
        }
        return Path.of(model);
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
            Path dir = resolveModel(model, config);
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
