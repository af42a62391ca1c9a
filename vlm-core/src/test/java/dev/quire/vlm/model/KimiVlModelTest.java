package dev.quire.vlm.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.image.ImageProcessor;
import dev.quire.vlm.tokenizer.ChatPrompt;
import dev.quire.vlm.tokenizer.KimiTokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against the naive double-precision reference on tiny float32 checkpoints written in the real
 * format, and the invariants that make long prompts safe (cache, chunking, packing, token counts).
 */
class KimiVlModelTest {
    /** Float32 engine vs float64 reference: max |difference| relative to the largest |logit|. */
    static final double TOLERANCE = 1e-5;
    static final DemoCheckpoint.Spec MOE = DemoCheckpoint.DEMO.withDtype(DType.F32);

    @TempDir
    Path tmp;

    Path write(String name, DemoCheckpoint.Spec spec) throws IOException {
        Path dir = tmp.resolve(name);
        DemoCheckpoint.write(dir, spec, false);
        return dir;
    }

    static BufferedImage image(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** Two images of odd sizes: grids 6x8 and 6x4 patches, neither the 8x8 of the position embedding. */
    static List<ImageProcessor.Patches> images(Checkpoint ck) {
        ImageProcessor p = new ImageProcessor(ck.processor());
        return List.of(p.process(image(100, 70, 1)), p.process(image(45, 80, 2)));
    }

    static double relativeError(float[] actual, double[] expected) {
        double maxDiff = 0;
        double maxAbs = 1e-9;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
        }
        return maxDiff / maxAbs;
    }

    static float[] rows(Tensor t) {
        Tensor c = t.contiguous().to(torch.ScalarType.Float);
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }

    static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static double[] flat(double[][] rows) {
        return Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
    }

    @Test
    void visionTowerAndProjectorAloneMatchTheNaiveReference() throws IOException {
        try (Checkpoint ck = Checkpoint.open(write("moe", MOE))) {
            List<ImageProcessor.Patches> imgs = images(ck);
            TorchDevice cpu = TorchDevice.resolve("cpu");
            Weights w = new Weights(ck, cpu, Precision.FLOAT32.resolve(DType.F32, cpu));
            VisionTower tower = new VisionTower(w, ck.config().vision());
            Projector projector = new Projector(w, ck.config());
            NaiveKimiVl naive = new NaiveKimiVl(ck);
            List<int[]> grids = imgs.stream().map(i -> new int[] {i.gridHeight(), i.gridWidth()}).toList();
            int p = imgs.getFirst().patchSize();
            float[] px = new float[imgs.stream().mapToInt(i -> i.pixels().length).sum()];
            int at = 0;
            for (ImageProcessor.Patches i : imgs) {
                System.arraycopy(i.pixels(), 0, px, at, i.pixels().length);
                at += i.pixels().length;
            }
            Tensor merged = tower.apply(torch.tensor(px).reshape(px.length / (3 * p * p), 3L * p * p), grids);
            double[][] expectedMerged = naive.vision(imgs);
            assertEquals(12 + 6, expectedMerged.length, "(6/2)(8/2) + (6/2)(4/2) tokens");
            double visionErr = relativeError(rows(merged), flat(expectedMerged));
            assertTrue(visionErr < TOLERANCE, "vision tower relative error " + visionErr);
            double projErr = relativeError(rows(projector.apply(merged)), flat(naive.project(expectedMerged)));
            assertTrue(projErr < TOLERANCE, "projector relative error " + projErr);
            System.out.printf("reference parity: vision tower %.2e, projector %.2e%n", visionErr, projErr);
        }
    }

    @Test
    void fullModelMatchesTheReferenceForMoeDenseQLoraAndGroupedRouting() throws IOException {
        List<DemoCheckpoint.Spec> specs = List.of(MOE, MOE.withExperts(0, 0, 1, 1), MOE.withQLora(24),
                MOE.withExperts(8, 2, 4, 2));
        for (int s = 0; s < specs.size(); s++) {
            try (Checkpoint ck = Checkpoint.open(write("variant" + s, specs.get(s)))) {
                KimiVlModel model = new KimiVlModel(ck, TorchDevice.resolve("cpu"));
                Prompt prompt = prompt(ck);
                float[] logits = model.session(prompt.ids.length).forward(prompt.ids, prompt.rows,
                        model.encode(prompt.images), true);
                NaiveKimiVl naive = new NaiveKimiVl(ck);
                double[][] expected = naive.logits(prompt.ids, naive.project(naive.vision(prompt.images)));
                double err = relativeError(logits, flat(expected));
                assertTrue(err < TOLERANCE, "variant " + s + " (" + specs.get(s) + "): logits relative error " + err);
                System.out.printf("reference parity: full model variant %d (experts %d, q_lora %d, groups %d): %.2e%n",
                        s, specs.get(s).experts(), specs.get(s).qLoraRank(), specs.get(s).nGroup(), err);
            }
        }
    }

    record Prompt(int[] ids, long[] rows, List<ImageProcessor.Patches> images) {
    }

    static Prompt prompt(Checkpoint ck) {
        KimiTokenizer tok = KimiTokenizer.load(ck.dir());
        List<ImageProcessor.Patches> imgs = images(ck);
        int merge = ck.config().vision().mergeHeight() * ck.config().vision().mergeWidth();
        ChatPrompt.Tokens t = ChatPrompt.build(tok, "sys", List.of(new ChatPrompt.Text("Page 1:"),
                new ChatPrompt.Image(imgs.get(0).count() / merge), new ChatPrompt.Text("Page 2:"),
                new ChatPrompt.Image(imgs.get(1).count() / merge), new ChatPrompt.Text("What is the total amount?")));
        long[] rows = new long[t.length()];
        Arrays.fill(rows, -1);
        long r = 0;
        for (ChatPrompt.ImageSpan span : t.images()) {
            for (int i = 0; i < span.length(); i++) {
                rows[span.start() + i] = r++;
            }
        }
        return new Prompt(t.ids(), rows, imgs);
    }

    /**
     * Dense variant: with random weights the router's sigmoid scores sit near 0.5, so low-precision rounding
     * upstream flips near-tied expert choices and the MoE comparison stops being about precision.
     */
    @Test
    void halfAndBfloat16WeightsRunThroughTheSameCode() throws IOException {
        for (DType d : new DType[] {DType.F16, DType.BF16}) {
            try (Checkpoint ck = Checkpoint.open(write("w" + d, MOE.withExperts(0, 0, 1, 1).withDtype(d)))) {
                // computed in the stored precision (float32 is the CPU default; PrecisionParityTest covers it)
                KimiVlModel model = new KimiVlModel(ck, TorchDevice.resolve("cpu"),
                        d == DType.F16 ? Precision.FLOAT16 : Precision.BFLOAT16);
                Prompt prompt = prompt(ck);
                float[] logits = model.session(prompt.ids.length).forward(prompt.ids, prompt.rows,
                        model.encode(prompt.images), true);
                NaiveKimiVl naive = new NaiveKimiVl(ck); // reads the same rounded weights, computes in float64
                double err = relativeError(logits, flat(naive.logits(prompt.ids, naive.project(naive.vision(prompt.images)))));
                // products run in the weights' precision: 11 (f16) or 8 (bf16) bits of mantissa
                double bound = d == DType.F16 ? 5e-3 : 4e-2;
                assertTrue(err < bound, d + " weights: relative error " + err);
                System.out.printf("reference parity: %s weights %.2e%n", d, err);
            }
        }
    }

    @Test
    void cachedDecodingAndChunkedPrefillEqualRecomputingTheWholeSequence() throws IOException {
        try (Checkpoint ck = Checkpoint.open(write("moe", MOE))) {
            KimiVlModel model = new KimiVlModel(ck, TorchDevice.resolve("cpu"));
            Prompt p = prompt(ck);
            KimiVlModel.ImageFeatures f = model.encode(p.images);
            int v = ck.config().text().vocabSize();
            float[] whole = model.session(p.ids.length).forward(p.ids, p.rows, f, true);

            // chunks of 7 tokens (shorter than the prompt, several images straddling chunk borders)
            KimiVlModel.Session chunked = model.session(p.ids.length);
            List<Float> chunkedAll = new ArrayList<>();
            for (int s = 0; s < p.ids.length; s += 7) {
                int e = Math.min(p.ids.length, s + 7);
                for (float x : chunked.forward(Arrays.copyOfRange(p.ids, s, e), Arrays.copyOfRange(p.rows, s, e), f, true)) {
                    chunkedAll.add(x);
                }
            }
            float[] c = new float[chunkedAll.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = chunkedAll.get(i);
            }
            assertTrue(maxDiff(whole, c) < 1e-4, "chunked prefill differs by " + maxDiff(whole, c));

            // prefill all but the last 5 tokens, then decode them one at a time through the cache
            int cut = p.ids.length - 5;
            KimiVlModel.Session cached = model.session(p.ids.length);
            cached.forward(Arrays.copyOf(p.ids, cut), Arrays.copyOf(p.rows, cut), f, false);
            for (int i = cut; i < p.ids.length; i++) {
                float[] step = cached.forward(new int[] {p.ids[i]}, new long[] {p.rows[i]}, f, false);
                float[] ref = Arrays.copyOfRange(whole, i * v, (i + 1) * v);
                assertTrue(maxDiff(ref, step) < 1e-4, "decode step " + i + " differs by " + maxDiff(ref, step));
            }
        }
    }

    @Test
    void blockingQueriesToBoundScoreMemoryChangesNothing() throws IOException {
        try (Checkpoint ck = Checkpoint.open(write("moe", MOE))) {
            Prompt p = prompt(ck);
            KimiVlModel roomy = new KimiVlModel(ck, TorchDevice.resolve("cpu"));
            // 4 heads × ~60 keys × 4 bytes: a 2 KB budget forces blocks of about two query rows
            KimiVlModel tight = new KimiVlModel(ck, TorchDevice.resolve("cpu"), 2048);
            float[] a = roomy.session(p.ids.length).forward(p.ids, p.rows, roomy.encode(p.images), true);
            float[] b = tight.session(p.ids.length).forward(p.ids, p.rows, tight.encode(p.images), true);
            assertTrue(maxDiff(a, b) < 1e-5, "blocked attention differs by " + maxDiff(a, b));
        }
    }

    @Test
    void packingImagesTogetherEqualsEncodingEachAlone() throws IOException {
        try (Checkpoint ck = Checkpoint.open(write("moe", MOE))) {
            KimiVlModel model = new KimiVlModel(ck, TorchDevice.resolve("cpu"));
            List<ImageProcessor.Patches> imgs = images(ck);
            float[] both = rows(model.encode(imgs).rows());
            float[] first = rows(model.encode(List.of(imgs.get(0))).rows());
            float[] second = rows(model.encode(List.of(imgs.get(1))).rows());
            float[] alone = new float[first.length + second.length];
            System.arraycopy(first, 0, alone, 0, first.length);
            System.arraycopy(second, 0, alone, first.length, second.length);
            assertTrue(maxDiff(both, alone) < 1e-5, "packed images attend to each other: " + maxDiff(both, alone));
        }
    }

    @Test
    void predictedImageTokensEqualThePlaceholdersTheVisionTowerFills() throws IOException {
        try (Checkpoint ck = Checkpoint.open(write("moe", MOE))) {
            KimiVlModel model = new KimiVlModel(ck, TorchDevice.resolve("cpu"));
            ImageProcessor proc = new ImageProcessor(ck.processor());
            for (int[] size : new int[][] {{100, 70}, {45, 80}, {28, 28}, {29, 57}, {3000, 20}}) {
                ImageProcessor.Patches p = proc.process(image(size[0], size[1], 3));
                long made = model.encode(List.of(p)).count();
                assertEquals(proc.tokensForImage(size[0], size[1]), made, Arrays.toString(size));
            }
        }
    }

    /**
     * One decode step over several sequences equals each sequence decoding alone: three prompts of different lengths
     * (one with images), decoded together for a few steps while one leaves and a fourth joins mid-way; every step's
     * logits are compared with the same sequence decoded on its own. Batches of 1–4 rows cross from gathered to
     * bucketed expert dispatch (8 experts, top-2), and each row sits at its own position in its own cache.
     */
    @Test
    void batchedDecodeStepsEqualDecodingEachSequenceAlone() throws IOException {
        for (DemoCheckpoint.Spec spec : List.of(MOE, MOE.withExperts(8, 2, 4, 2))) {
            try (Checkpoint ck = Checkpoint.open(write("batch" + spec.nGroup(), spec))) {
                KimiVlModel model = new KimiVlModel(ck, TorchDevice.resolve("cpu"));
                Prompt withImages = prompt(ck);
                int[][] prompts = {withImages.ids, Arrays.copyOf(withImages.ids, 9), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
                        {30, 31, 32}};
                int steps = 6;
                KimiVlModel.ImageFeatures f = model.encode(withImages.images);
                // alone: each sequence prefilled, then fed tokens 40 + step one at a time
                List<List<float[]>> alone = new ArrayList<>();
                for (int[] ids : prompts) {
                    KimiVlModel.Session s = model.session(ids.length + steps);
                    s.forward(ids, rowsFor(withImages, ids), f, false);
                    List<float[]> out = new ArrayList<>();
                    for (int step = 0; step < steps; step++) {
                        out.add(s.forward(new int[] {40 + step}, new long[] {-1}, f, false));
                    }
                    alone.add(out);
                }
                // together: sequences 0–2 start, 1 leaves after 3 steps, 3 joins at step 2
                KimiVlModel.Session[] sessions = new KimiVlModel.Session[prompts.length];
                int[] done = new int[prompts.length];
                for (int i = 0; i < prompts.length; i++) {
                    sessions[i] = model.session(prompts[i].length + steps);
                    sessions[i].forward(prompts[i], rowsFor(withImages, prompts[i]), f, false);
                }
                double worst = 0;
                int widest = 0;
                for (int step = 0; step < steps + 2; step++) {
                    List<Integer> members = new ArrayList<>();
                    for (int i = 0; i < prompts.length; i++) {
                        boolean joined = i != 3 || step >= 2;
                        int limit = i == 1 ? 3 : steps;
                        if (joined && done[i] < limit) {
                            members.add(i);
                        }
                    }
                    if (members.isEmpty()) {
                        break;
                    }
                    widest = Math.max(widest, members.size());
                    int[] tokens = members.stream().mapToInt(i -> 40 + done[i]).toArray();
                    float[][] logits = model.decode(members.stream().map(i -> sessions[i]).toList(), tokens);
                    for (int m = 0; m < members.size(); m++) {
                        int i = members.get(m);
                        double d = maxDiff(alone.get(i).get(done[i]), logits[m]);
                        assertTrue(d < 1e-4, "sequence " + i + " step " + done[i] + " in a batch of " + members.size()
                                + " differs from decoding alone by " + d);
                        worst = Math.max(worst, d);
                        done[i]++;
                    }
                }
                assertEquals(4, widest, "the schedule had all four sequences in one step");
                assertArrayEquals(new int[] {steps, 3, steps, steps}, done);
                System.out.printf(java.util.Locale.ROOT, "batched decode (groups %d): worst max |Δlogit| vs alone %.2e%n",
                        spec.nGroup(), worst);
            }
        }
    }

    /** Image feature rows for a prompt that is a prefix of {@code p}'s ids (−1 beyond, or for other prompts). */
    private static long[] rowsFor(Prompt p, int[] ids) {
        long[] rows = new long[ids.length];
        Arrays.fill(rows, -1);
        if (ids.length <= p.ids.length && Arrays.equals(ids, Arrays.copyOf(p.ids, ids.length))) {
            System.arraycopy(p.rows, 0, rows, 0, ids.length);
        }
        return rows;
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
