package dev.quire.vlm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.checkpoint.SafetensorsWriter;
import dev.quire.vlm.checkpoint.TensorData;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.image.ImageProcessor;
import dev.quire.vlm.tokenizer.ChatPrompt;
import dev.quire.vlm.tokenizer.KimiTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine at each compute precision against the independent float64 reference ({@link NaiveKimiVl}) on tiny
 * checkpoints <em>stored in BF16</em>, as real Kimi-VL releases are: MoE, dense and q-LoRA decoders; text-only
 * prompts and prompts with one, two and three images of different sizes (default system turn included). The
 * reference reads the same stored bf16 values and computes in double, so at float32 the only difference left is
 * float32 rounding: max |Δlogit| ≤ 1e-4 at logits of std ≈ 2. At bfloat16 the products round to 8 bits of
 * mantissa; that error is printed and held only to a loose bound.
 */
class PrecisionParityTest {
    static final double FLOAT32_MAX_ABS = 1e-4;
    /** bf16 rounds every product input to 8 mantissa bits; only gross errors (a wrong formula) fail this. */
    static final double BFLOAT16_MAX_ABS_PER_STD = 0.5;

    @TempDir
    static Path tmp;
    static final List<String> VARIANTS = List.of("moe", "dense", "q-lora");
    static final List<Path> CHECKPOINTS = new ArrayList<>();

    @BeforeAll
    static void writeBf16Checkpoints() throws IOException {
        DemoCheckpoint.Spec moe = DemoCheckpoint.DEMO.withDtype(DType.F32);
        List<DemoCheckpoint.Spec> specs = List.of(moe, moe.withExperts(0, 0, 1, 1), moe.withQLora(24));
        for (int i = 0; i < specs.size(); i++) {
            CHECKPOINTS.add(bf16(VARIANTS.get(i), specs.get(i)));
        }
    }

    /**
     * A BF16 checkpoint in the real layout (variant "moe-sorted": tensors in name order, as the Python safetensors
     * library writes them, so experts lie in the order 0, 1, 10, 11, …, 2, … and the engine's stacked view of them
     * must map expert ids to places): written by the demo writer, then every tensor re-stored as BF16 with the
     * LM head scaled ×3 so logits have std ≈ 2 like a trained model's (the demo's random head gives std ≈ 0.6, which
     * would make an absolute tolerance three times looser).
     */
    static Path bf16(String name, DemoCheckpoint.Spec spec) throws IOException {
        Path src = tmp.resolve(name + "-f32");
        Path dir = tmp.resolve(name);
        DemoCheckpoint.write(src, spec, false);
        Files.createDirectories(dir);
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().endsWith(".safetensors")) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        try (Checkpoint ck = Checkpoint.open(src)) {
            List<WeightLayout.TensorSpec> tensors = new ArrayList<>(WeightLayout.of(ck.config()).tensors());
            if (name.endsWith("-sorted")) {
                tensors.sort(java.util.Comparator.comparing(WeightLayout.TensorSpec::name));
            }
            for (WeightLayout.TensorSpec t : tensors) {
                TensorData data = ck.tensor(t.name(), t.shape());
                float[] v = data.toFloats();
                if (t.name().endsWith("lm_head.weight")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= 3;
                    }
                }
                out.add(t.name(), DType.BF16, t.shape(), v);
            }
        }
        out.write(dir.resolve("model.safetensors"));
        return dir;
    }

    record Prompt(String label, int[] ids, long[] rows, List<ImageProcessor.Patches> images) {
    }

    /** Text only, then 1, 2 and 3 images of different sizes (grids 6×8, 6×4 and 4×10 patches). */
    static List<Prompt> prompts(Checkpoint ck) {
        KimiTokenizer tok = KimiTokenizer.load(ck.dir());
        ImageProcessor proc = new ImageProcessor(ck.processor());
        int merge = ck.config().vision().mergeHeight() * ck.config().vision().mergeWidth();
        List<ImageProcessor.Patches> all = List.of(proc.process(KimiVlModelTest.image(100, 70, 1)),
                proc.process(KimiVlModelTest.image(45, 80, 2)), proc.process(KimiVlModelTest.image(130, 40, 3)));
        List<Prompt> out = new ArrayList<>();
        for (int n = 0; n <= 3; n++) {
            List<ChatPrompt.Part> parts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                parts.add(new ChatPrompt.Text("Page " + (i + 1) + ":"));
                parts.add(new ChatPrompt.Image(all.get(i).count() / merge));
            }
            parts.add(new ChatPrompt.Text(n == 0 ? "Summarize the report in one sentence." : "What is the total amount?"));
            ChatPrompt.Tokens t = ChatPrompt.build(tok, null, parts);
            long[] rows = new long[t.length()];
            Arrays.fill(rows, -1);
            long r = 0;
            for (ChatPrompt.ImageSpan span : t.images()) {
                for (int i = 0; i < span.length(); i++) {
                    rows[span.start() + i] = r++;
                }
            }
            out.add(new Prompt(n == 0 ? "text only" : n + " image" + (n > 1 ? "s" : ""), t.ids(), rows, all.subList(0, n)));
        }
        return out;
    }

    static double maxAbs(float[] actual, double[] expected) {
        assertEquals(expected.length, actual.length);
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            m = Math.max(m, Math.abs(actual[i] - expected[i]));
        }
        return m;
    }

    static double std(double[] v) {
        double mean = Arrays.stream(v).average().orElse(0);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElse(0));
    }

    @Test
    void float32ReproducesTheFloat64ReferenceOnBf16CheckpointsAndBfloat16StaysClose() throws IOException {
        TorchDevice cpu = TorchDevice.resolve("cpu");
        double worst32 = 0;
        double worst16 = 0;
        for (int v = 0; v < VARIANTS.size(); v++) {
            try (Checkpoint ck = Checkpoint.open(CHECKPOINTS.get(v))) {
                assertEquals(DType.BF16, KimiVlModel.storedDtype(ck));
                KimiVlModel f32 = new KimiVlModel(ck, cpu, Precision.FLOAT32);
                KimiVlModel b16 = new KimiVlModel(ck, cpu, Precision.BFLOAT16);
                assertEquals(Precision.FLOAT32, f32.precision().precision());
                assertEquals(Precision.BFLOAT16, b16.precision().precision());
                // bf16 compute on bf16 weights: the experts are used in place; float32 compute converts (copies) them
                assertEquals(VARIANTS.get(v).equals("dense") ? "none" : "views of the checkpoint", b16.expertStorage());
                assertTrue(VARIANTS.get(v).equals("dense") || f32.expertStorage().startsWith("copied at load"), f32.expertStorage());
                NaiveKimiVl naive = new NaiveKimiVl(ck);
                for (Prompt p : prompts(ck)) {
                    double[] expected = KimiVlModelTest.flat(naive.logits(p.ids(),
                            p.images().isEmpty() ? new double[0][] : naive.project(naive.vision(p.images()))));
                    double sd = std(expected);
                    float[] got32 = f32.session(p.ids().length).forward(p.ids(), p.rows(), f32.encode(p.images()), true);
                    float[] got16 = b16.session(p.ids().length).forward(p.ids(), p.rows(), b16.encode(p.images()), true);
                    double e32 = maxAbs(got32, expected);
                    double e16 = maxAbs(got16, expected);
                    System.out.printf(Locale.ROOT, "precision parity %-6s %-9s (%3d tokens, logit std %.2f): max |Δlogit| "
                            + "float32 %.2e, bfloat16 %.2e%n", VARIANTS.get(v), p.label(), p.ids().length, sd, e32, e16);
                    assertTrue(sd > 1.0 && sd < 4.0, "logits of std ≈ 2 make the tolerance meaningful; got " + sd);
                    assertTrue(e32 <= FLOAT32_MAX_ABS, VARIANTS.get(v) + ", " + p.label() + ": float32 max |Δlogit| " + e32);
                    assertTrue(e16 <= BFLOAT16_MAX_ABS_PER_STD * sd, VARIANTS.get(v) + ", " + p.label()
                            + ": bfloat16 max |Δlogit| " + e16 + " at logit std " + sd);
                    worst32 = Math.max(worst32, e32);
                    worst16 = Math.max(worst16, e16);
                }
            }
        }
        System.out.printf(Locale.ROOT, "precision parity worst max |Δlogit| over all variants and prompts: float32 %.2e "
                + "(bound %.0e), bfloat16 %.2e%n", worst32, FLOAT32_MAX_ABS, worst16);
    }

    /**
     * The same 12-expert weights stored in the demo writer's order and in name order (as Python's safetensors writes
     * them: experts 0, 1, 10, 11, 2, …) give the same logits: the stacked view of the sorted file maps expert ids to
     * their places, in the gathered (decode) and the bucketed (prefill) dispatch alike.
     */
    @Test
    void expertsStoredInNameOrderAreUsedInPlaceAndGiveTheSameLogits() throws IOException {
        DemoCheckpoint.Spec spec = DemoCheckpoint.DEMO.withDtype(DType.F32).withExperts(12, 2, 1, 1);
        Path inOrder = bf16("experts12", spec);
        Path sorted = bf16("experts12-sorted", spec);
        TorchDevice cpu = TorchDevice.resolve("cpu");
        try (Checkpoint a = Checkpoint.open(inOrder); Checkpoint b = Checkpoint.open(sorted)) {
            KimiVlModel ma = new KimiVlModel(a, cpu, Precision.BFLOAT16);
            KimiVlModel mb = new KimiVlModel(b, cpu, Precision.BFLOAT16);
            assertEquals("views of the checkpoint", ma.expertStorage());
            assertEquals("views of the checkpoint, reordered", mb.expertStorage());
            for (Prompt p : prompts(a)) {
                KimiVlModel.Session sa = ma.session(p.ids().length + 3);
                KimiVlModel.Session sb = mb.session(p.ids().length + 3);
                float[] la = sa.forward(p.ids(), p.rows(), ma.encode(p.images()), true);
                float[] lb = sb.forward(p.ids(), p.rows(), mb.encode(p.images()), true);
                assertEquals(0, maxAbs(lb, KimiVlModelTest.toDoubles(la)), 1e-5, p.label() + " prefill");
                for (int t = 0; t < 3; t++) { // decode steps: one token, gathered dispatch
                    float[] da = ma.decode(List.of(sa), new int[] {40 + t})[0];
                    float[] db = mb.decode(List.of(sb), new int[] {40 + t})[0];
                    assertEquals(0, maxAbs(db, KimiVlModelTest.toDoubles(da)), 1e-5, p.label() + " decode " + t);
                }
            }
        }
    }

    @Test
    void autoIsTheStoredDtypeOnCpuAndUnknownNamesAreClearErrors() throws IOException {
        TorchDevice cpu = TorchDevice.resolve("cpu");
        assertEquals(Precision.BFLOAT16, Precision.AUTO.resolve(DType.BF16, cpu).precision());
        assertEquals(Precision.FLOAT32, Precision.AUTO.resolve(DType.F32, cpu).precision());
        assertEquals(Precision.FLOAT32, Precision.FLOAT32.resolve(DType.BF16, cpu).precision());
        assertEquals(Precision.BFLOAT16, Precision.parse("bf16"));
        assertEquals(Precision.FLOAT16, Precision.parse("float16"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Precision.parse("int8"));
        assertTrue(e.getMessage().contains("quire.vlm.dtype must be auto, float32, bfloat16 or float16; got 'int8'"),
                e.getMessage());
    }
}
