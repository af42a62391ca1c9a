import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.engine.EmbeddedEngine;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerateResult;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.engine.PromptPart;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * VLM benchmark on a mid-size random checkpoint in the real format (written once under bench/out/):
 * vision hidden 384 × 4 layers; decoder hidden 1024 × 8 layers, MLA kv_lora 256, 16 routed experts top-4 + 1 shared
 * (width 704), first layer dense (2816); bf16 weights; the demo tokenizer (558-token vocabulary).
 * Prints vision tokens/s, prefill tokens/s, decode tokens/s, peak RSS, and the decode-bandwidth ratio
 * = active weight bytes per token × decode tokens/s ÷ memory bandwidth measured in the same run (a large copy).
 *
 * Runs each compute precision in turn (default float32 then bfloat16; float32 is the anchor) and prints the decode
 * ratio against the anchor: the measurement behind quire.vlm.dtype=auto on CPU.
 *
 *   bench/vlm-bench.sh [DECODE_TOKENS=64] [PRECISIONS=float32,bfloat16] [IMAGE_SIDE=896; 0 = text only]
 */
public class VlmBench {
    static final DemoCheckpoint.Spec MID = new DemoCheckpoint.Spec(384, 4, 6, 16, 1024, 8, 8, 0, 256, 64, 32, 64, 2816,
            704, 16, 4, 1, 1, 1, 1, DType.BF16, 7L);

    public static void main(String[] args) throws Exception {
        int decode = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        Path dir = Path.of("bench/out/mid-moe");
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            System.out.println("writing the mid-size checkpoint to " + dir + " …");
            DemoCheckpoint.write(dir, MID, false);
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        ModelConfig.ParameterCount params = config.parameters();
        System.out.printf(Locale.ROOT, "checkpoint: %,d parameters (stored bf16, %.0f MB), %,d active per token%n",
                params.total(), params.total() * 2 / 1e6, params.activePerToken());

        // IMAGE_SIDE (third argument, default 896): the page image's side; 0 = a text-only prompt (decode alone)
        int side = args.length > 2 ? Integer.parseInt(args[2]) : 896;
        BufferedImage page = new BufferedImage(Math.max(side, 28), Math.max(side, 28), BufferedImage.TYPE_INT_RGB);
        Random r = new Random(1);
        for (int y = 0; y < page.getHeight(); y++) {
            for (int x = 0; x < page.getWidth(); x++) {
                page.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        double bandwidth = bandwidthBytesPerSecond();
        System.out.printf(Locale.ROOT, "memory bandwidth (1 GiB copy, read + write): %.2f GB/s%n", bandwidth / 1e9);
        // Each compute precision in the same run (the first is the anchor): quire.vlm.dtype=auto on CPU picks by this.
        String[] precisions = (args.length > 1 ? args[1] : "float32,bfloat16").split(",");
        double anchor = 0;
        for (String precision : precisions) {
            // Caches off: every measured call encodes and prefills from scratch (the same prompt would hit them).
            try (EmbeddedEngine engine = new EmbeddedEngine(dir, "auto", precision,
                    dev.quire.vlm.checkpoint.WeightDigests.uncached(), dev.quire.vlm.engine.CacheBudgets.OFF)) {
                System.out.println("== precision " + engine.precision().id() + " (" + engine.precision().reason() + ")");
                System.out.println("device: " + engine.deviceReason());
                List<PromptPart> warmParts = side > 0 ? List.of(PromptPart.image(page), PromptPart.text("warm up"))
                        : List.of(PromptPart.text("warm up"));
                engine.generate(new GenerateRequest(null, warmParts, GenerationOptions.greedy(4)));
                List<PromptPart> parts = side > 0 ? List.of(PromptPart.text("Page 1:"), PromptPart.image(page),
                        PromptPart.text("What is the total amount on this page?"))
                        : List.of(PromptPart.text("What is the total amount on this page?"));
                GenerateRequest req = new GenerateRequest(null, parts, GenerationOptions.greedy(decode));
                GenerateResult best = null;
                for (int i = 0; i < 2; i++) {
                    GenerateResult res = engine.generate(req);
                    if (best == null || res.timings().decodeNanos() < best.timings().decodeNanos()) {
                        best = res;
                    }
                }
                GenerateResult.Timings t = best.timings();
                int imageTokens = side > 0 ? engine.costs().imageTokens(page.getWidth(), page.getHeight()) : 0;
                double decodeRate = t.decodeTokensPerSecond();
                long weightBytes = params.activePerToken() * (engine.precision().id().equals("float32") ? 4 : 2);
                System.out.printf(Locale.ROOT, "vision:  %d image tokens in %.0f ms = %.0f tokens/s%n", imageTokens,
                        t.visionNanos() / 1e6, imageTokens / (t.visionNanos() / 1e9));
                System.out.printf(Locale.ROOT, "prefill: %d prompt tokens in %.0f ms = %.0f tokens/s%n", best.promptTokens(),
                        t.prefillNanos() / 1e6, best.promptTokens() / (t.prefillNanos() / 1e9));
                System.out.printf(Locale.ROOT, "decode:  %d tokens in %.0f ms = %.1f tokens/s%n", t.decodedTokens(),
                        t.decodeNanos() / 1e6, decodeRate);
                System.out.printf(Locale.ROOT, "peak RSS so far: %.0f MB (Java heap committed %.0f MB, mapped checkpoint %.0f MB)%n",
                        peakRssKb() / 1024.0, Runtime.getRuntime().totalMemory() / 1e6,
                        Files.size(dir.resolve("model.safetensors")) / 1e6);
                System.out.printf(Locale.ROOT, "decode-bandwidth ratio = %.0f MB/token × %.1f tokens/s ÷ %.2f GB/s = %.3f%n",
                        weightBytes / 1e6, decodeRate, bandwidth / 1e9, weightBytes * decodeRate / bandwidth);
                if (anchor == 0) {
                    anchor = decodeRate;
                    System.out.printf(Locale.ROOT, "decode anchor: %s %.1f tokens/s%n", engine.precision().id(), decodeRate);
                } else {
                    System.out.printf(Locale.ROOT, "decode ratio %s / %s = %.2f%n", engine.precision().id(), precisions[0],
                            decodeRate / anchor);
                }
            }
        }
    }

    static double bandwidthBytesPerSecond() {
        long[] src = new long[1 << 27];
        long[] dst = new long[src.length];
        java.util.Arrays.fill(src, 1);
        double best = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, src.length);
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 2.0 * src.length * 8 / s);
        }
        return best;
    }

    static long peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
