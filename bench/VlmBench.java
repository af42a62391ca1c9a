import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.checkpoint.WeightDigests;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.config.TextConfig;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.engine.EmbeddedEngine;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerateResult;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.engine.PromptPart;
import dev.quire.vlm.model.RuntimeCalls;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * VLM benchmark on a mid-size random checkpoint in the real format (written once under bench/out/):
 * vision hidden 384 × 4 layers; decoder hidden 1024 × 8 layers, MLA kv_lora 256, 16 routed experts top-4 + 1 shared
 * (width 704), first layer dense (2816); bf16 weights; the demo tokenizer (558-token vocabulary).
 *
 * For each compute precision (default float32, the anchor, then bfloat16 = what auto picks for this checkpoint),
 * in one run: vision, prefill and batch-1 decode tokens/s over a fixed number of decoded tokens (stop tokens
 * ignored); the decode floor ratio = time to multiply one token through every active weight matrix (the model's
 * own matrices, same matmuls, nothing else; measured here) ÷ real decode time per token; the bandwidth ratio =
 * active weight bytes × decode tokens/s ÷ copy bandwidth measured here; libtorch calls per decoded token per layer
 * (counted in the model code) beside the count of the per-expert code this replaced; aggregate decode tokens/s of
 * 1, 4 and 8 concurrent requests and batch8 ÷ batch1. Ends with one key=value summary line (of the last precision).
 *
 *   bench/vlm-bench.sh [DECODE_TOKENS=64] [PRECISIONS=float32,bfloat16] [IMAGE_SIDE=896; 0 = text only]
 */
public class VlmBench {
    static final DemoCheckpoint.Spec MID = new DemoCheckpoint.Spec(384, 4, 6, 16, 1024, 8, 8, 0, 256, 64, 32, 64, 2816,
            704, 16, 4, 1, 1, 1, 1, DType.BF16, 7L);

    public static void main(String[] args) throws Exception {
        int decode = Math.max(64, args.length > 0 ? Integer.parseInt(args[0]) : 64);
        Path dir = Path.of("bench/out/mid-moe");
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            System.out.println("writing the mid-size checkpoint to " + dir + " …");
            DemoCheckpoint.write(dir, MID, false);
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        ModelConfig.ParameterCount params = config.parameters();
        System.out.printf(Locale.ROOT, "checkpoint: %,d parameters (stored bf16, %.0f MB), %,d active per token%n",
                params.total(), params.total() * 2 / 1e6, params.activePerToken());

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
        String[] precisions = (args.length > 1 ? args[1] : "float32,bfloat16").split(",");
        double anchor = 0;
        Map<String, String> summary = new LinkedHashMap<>();
        for (String precision : precisions) {
            // Caches off: every measured call encodes and prefills from scratch (the same prompt would hit them).
            try (EmbeddedEngine engine = new EmbeddedEngine(dir, "auto", precision, WeightDigests.uncached(),
                    dev.quire.vlm.engine.CacheBudgets.OFF, 8)) {
                summary.clear();
                String id = engine.precision().id();
                summary.put("precision", id);
                System.out.println("== precision " + id + " (" + engine.precision().reason() + ")");
                System.out.println("device: " + engine.deviceReason());
                List<PromptPart> warmParts = side > 0 ? List.of(PromptPart.image(page), PromptPart.text("warm up"))
                        : List.of(PromptPart.text("warm up"));
                engine.generate(new GenerateRequest(null, warmParts, GenerationOptions.greedy(4)));
                List<PromptPart> parts = side > 0 ? List.of(PromptPart.text("Page 1:"), PromptPart.image(page),
                        PromptPart.text("What is the total amount on this page?"))
                        : List.of(PromptPart.text("What is the total amount on this page?"));
                GenerateRequest req = new GenerateRequest(null, parts, GenerationOptions.greedy(decode).withIgnoreStop(true));
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
                long weightBytes = params.activePerToken() * (id.equals("float32") ? 4 : 2);
                double prefillRate = best.promptTokens() / (t.prefillNanos() / 1e9);
                System.out.printf(Locale.ROOT, "vision:  %d image tokens in %.0f ms = %.0f tokens/s%n", imageTokens,
                        t.visionNanos() / 1e6, imageTokens / (t.visionNanos() / 1e9));
                System.out.printf(Locale.ROOT, "prefill: %d prompt tokens in %.0f ms = %.0f tokens/s%n", best.promptTokens(),
                        t.prefillNanos() / 1e6, prefillRate);
                System.out.printf(Locale.ROOT, "decode:  %d tokens in %.0f ms = %.1f tokens/s (batch 1, stop tokens ignored)%n",
                        t.decodedTokens(), t.decodeNanos() / 1e6, decodeRate);
                double floorNanos = engine.matmulFloorNanos(20);
                double perToken = t.decodeNanos() / (double) t.decodedTokens();
                double floorRatio = floorNanos / perToken;
                double bwRatio = weightBytes * decodeRate / bandwidth;
                System.out.printf(Locale.ROOT, "decode floor ratio = %.2f ms (every active matrix × one token, same matmuls, "
                        + "nothing else) ÷ %.2f ms per decoded token = %.3f%n", floorNanos / 1e6, perToken / 1e6, floorRatio);
                System.out.printf(Locale.ROOT, "decode-bandwidth ratio = %.0f MB/token × %.1f tokens/s ÷ %.2f GB/s = %.3f "
                        + "(the floor alone would reach %.3f)%n", weightBytes / 1e6, decodeRate, bandwidth / 1e9, bwRatio,
                        weightBytes / (floorNanos / 1e9) / bandwidth);
                System.out.printf(Locale.ROOT, "peak RSS so far: %.0f MB (Java heap committed %.0f MB, mapped checkpoint %.0f MB)%n",
                        peakRssKb() / 1024.0, Runtime.getRuntime().totalMemory() / 1e6,
                        Files.size(dir.resolve("model.safetensors")) / 1e6);

                // libtorch calls per decoded token per layer: (calls of N tokens − calls of 1 token) ÷ (N − 1) ÷ layers
                GenerateRequest text = new GenerateRequest(null, List.of(PromptPart.text("Count the calls.")),
                        GenerationOptions.greedy(1).withIgnoreStop(true));
                long c0 = RuntimeCalls.count();
                engine.generate(text);
                long c1 = RuntimeCalls.count();
                engine.generate(new GenerateRequest(null, text.parts(), GenerationOptions.greedy(17).withIgnoreStop(true)));
                long c2 = RuntimeCalls.count();
                double after = ((c2 - c1) - (c1 - c0)) / 16.0 / engine.numLayers();
                double before = callsBefore(config.text(), !id.equals("float32"));
                System.out.printf(Locale.ROOT, "runtime calls per decoded token per layer: before %.1f (per-expert loop, "
                        + "counted from its code), after %.1f (counted while decoding)%n", before, after);

                // aggregate decode tokens/s of B concurrent requests (short distinct text prompts, same length)
                double[] rates = new double[3];
                int[] batches = {1, 4, 8};
                for (int b = 0; b < batches.length; b++) {
                    rates[b] = aggregateDecode(engine, batches[b], decode);
                    System.out.printf(Locale.ROOT, "decode batch %d: %.1f tokens/s aggregate%n", batches[b], rates[b]);
                }
                System.out.printf(Locale.ROOT, "batch4 / batch1 = %.2f, batch8 / batch1 = %.2f%n", rates[1] / rates[0],
                        rates[2] / rates[0]);
                if (anchor == 0) {
                    anchor = decodeRate;
                    System.out.printf(Locale.ROOT, "decode anchor: %s %.1f tokens/s%n", id, decodeRate);
                } else {
                    System.out.printf(Locale.ROOT, "decode ratio %s / %s = %.2f%n", id, precisions[0], decodeRate / anchor);
                }
                summary.put("decode_floor_ratio", f(floorRatio));
                summary.put("decode_bw_ratio", f(bwRatio));
                summary.put("batch8_speedup", f(rates[2] / rates[0]));
                summary.put("batch4_speedup", f(rates[1] / rates[0]));
                summary.put("decode_tps_b1", f(rates[0]));
                summary.put("decode_tps_b4", f(rates[1]));
                summary.put("decode_tps_b8", f(rates[2]));
                summary.put("prefill_tps", f(prefillRate));
                summary.put("calls_per_token_layer_before", f(before));
                summary.put("calls_per_token_layer_after", f(after));
                summary.put("bandwidth_gbs", f(bandwidth / 1e9));
            }
        }
        StringBuilder line = new StringBuilder();
        summary.forEach((k, v) -> line.append(line.isEmpty() ? "" : " ").append(k).append('=').append(v));
        System.out.println(line);
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * Decode tokens/s of {@code batch} requests started together, each decoding {@code tokens} (stops ignored):
     * all decoded tokens ÷ the longest request's decode time (it joined first, so its span covers the others').
     */
    static double aggregateDecode(EmbeddedEngine engine, int batch, int tokens) throws Exception {
        double best = 0;
        for (int rep = 0; rep < 2; rep++) {
            List<Thread> threads = new ArrayList<>();
            GenerateResult[] out = new GenerateResult[batch];
            for (int i = 0; i < batch; i++) {
                int n = i;
                GenerateRequest req = new GenerateRequest(null, List.of(PromptPart.text("Question " + (char) ('A' + i)
                        + ": what is on the page?")), GenerationOptions.greedy(tokens).withIgnoreStop(true));
                threads.add(Thread.ofPlatform().start(() -> out[n] = engine.generate(req)));
            }
            for (Thread t : threads) {
                t.join();
            }
            long longest = 0;
            long decoded = 0;
            for (GenerateResult g : out) {
                longest = Math.max(longest, g.timings().decodeNanos());
                decoded += g.timings().decodedTokens();
            }
            best = Math.max(best, decoded / (longest / 1e9));
        }
        return best;
    }

    /**
     * libtorch calls per decoded token per layer of the code before this change (commit 66de401), counted by hand
     * from it: per layer 2 norms (6 each) and 2 residual adds; latent attention 74 (two RoPE calls of 17 each, one
     * SDPA block); the MoE route 10, 6 host copies and buffers, 16 per hit expert (index tensors, gather, 3 linears,
     * silu, product, weight, index_add), shared experts 9; a dense MLP 8. Linear layers in bf16 add 2 conversions.
     */
    static double callsBefore(TextConfig c, boolean convert) {
        int linearExtra = convert ? 2 : 0;
        double total = 0;
        for (int i = 0; i < c.numLayers(); i++) {
            double layer = 14 + 74 + (c.qLoraRank() > 0 ? 2 + 6 + linearExtra : 0) + 3 * linearExtra; // q, kv_a, o
            if (c.isMoeLayer(i)) {
                int k = c.numExpertsPerTok();
                layer += 10 + 6 + k * (16 + 3 * linearExtra) + (c.nSharedExperts() > 0 ? 9 + 3 * linearExtra : 0);
            } else {
                layer += 8 + 3 * linearExtra;
            }
            total += layer;
        }
        return total / c.numLayers();
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
