package dev.quire.vlm.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.demo.DemoCheckpoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedEngineTest {
    @TempDir
    static Path tmp;
    static Path demo;

    @BeforeAll
    static void makeDemo() {
        demo = DemoCheckpoint.ensure(tmp);
    }

    static GenerateRequest ask(GenerationOptions o) {
        BufferedImage page = new BufferedImage(200, 260, BufferedImage.TYPE_INT_RGB);
        page.getGraphics().drawString("Total: 42", 20, 40);
        return new GenerateRequest(null, List.of(PromptPart.text("Page 1:"), PromptPart.image(page),
                PromptPart.text("What is the total?")), o);
    }

    @Test
    void greedyGenerationIsDeterministicStreamsAndReportsEverything() {
        try (EmbeddedEngine e = new EmbeddedEngine(demo, "cpu")) {
            assertTrue(e.identity().demo());
            assertEquals("cpu", e.identity().device());
            assertEquals(64, e.identity().checkpoint().length());
            List<String> deltas = new ArrayList<>();
            GenerateResult a = e.generate(ask(GenerationOptions.greedy(16).withLogprobs(true, true)
                    .withListener((id, delta) -> deltas.add(delta))));
            GenerateResult b = e.generate(ask(GenerationOptions.greedy(16)));
            assertArrayEquals(a.tokens(), b.tokens(), "greedy decoding is deterministic");
            assertTrue(a.tokens().length <= 16);
            assertEquals(a.tokens().length == 16 ? "length" : "stop", a.stopReason());
            assertEquals(a.tokens().length, a.logprobs().length);
            for (float lp : a.logprobs()) {
                assertTrue(lp <= 0 && lp > -100, "log-probability " + lp);
            }
            assertEquals(e.tokenizer().vocabSize(), a.firstLogits().length);
            String streamed = String.join("", deltas);
            assertTrue(a.text().startsWith(streamed) || streamed.equals(a.text()),
                    "streamed text is the answer (up to a trailing partial character): " + streamed + " vs " + a.text());
            assertEquals(a.tokens().length, deltas.size(), "one callback per generated token");
            int imageTokens = e.costs().imageTokens(200, 260);
            assertEquals((224 / 28) * (280 / 28), imageTokens);
            assertTrue(a.promptTokens() > imageTokens);
            assertTrue(a.timings().visionNanos() > 0 && a.timings().prefillNanos() > 0 && a.timings().decodeNanos() > 0);
            assertEquals(a.tokens().length, a.timings().decodedTokens());
        }
    }

    @Test
    void seededSamplingRepeatsAndPngBytesWork() throws IOException {
        try (EmbeddedEngine e = new EmbeddedEngine(demo, "auto")) {
            GenerationOptions sampled = GenerationOptions.greedy(12).withSampling(0.8, 0.9, 7);
            GenerateResult a = e.generate(ask(sampled));
            GenerateResult b = e.generate(ask(sampled));
            assertArrayEquals(a.tokens(), b.tokens(), "same seed, same answer");
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(60, 60, BufferedImage.TYPE_INT_RGB), "png", png);
            GenerateResult fromPng = e.generate(new GenerateRequest("Answer briefly.",
                    List.of(PromptPart.png(png.toByteArray()), PromptPart.text("Describe.")), GenerationOptions.greedy(4)));
            assertTrue(fromPng.promptTokens() > e.costs().imageTokens(60, 60));
            assertThrows(IllegalArgumentException.class, () -> PromptPart.png(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void promptsLongerThanTheContextAreRefusedWithTheNumbers() {
        try (EmbeddedEngine e = new EmbeddedEngine(demo, "cpu")) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> e.generate(ask(GenerationOptions.greedy(e.contextLength()))));
            assertTrue(x.getMessage().contains("exceeds the model's context of 131072 tokens"), x.getMessage());
        }
    }

    @Test
    void smallPrefillChunksGiveTheSameAnswer() throws IOException {
        Path f32 = tmp.resolve("f32");
        DemoCheckpoint.write(f32, DemoCheckpoint.DEMO.withDtype(DType.F32), false);
        try (EmbeddedEngine e = new EmbeddedEngine(f32, "cpu")) {
            assertFalse(e.identity().demo());
            GenerateResult one = e.generate(ask(GenerationOptions.greedy(8).withLogprobs(false, true)));
            GenerateResult chunked = e.generate(ask(GenerationOptions.greedy(8).withLogprobs(false, true).withPrefillChunk(5)));
            assertArrayEquals(one.tokens(), chunked.tokens());
            for (int i = 0; i < one.firstLogits().length; i++) {
                assertEquals(one.firstLogits()[i], chunked.firstLogits()[i], 1e-4);
            }
        }
    }

    /**
     * Concurrent callers decode in one batch and get what they get one at a time: four requests (different prompts,
     * token limits and sampling settings; float32) run on an engine of max-batch 1, one after another, then
     * concurrently on one of max-batch 4 — the first waits at its first token until two others have prefilled and
     * joined, the fourth starts only once the second is decoding, and they leave at different lengths. Same tokens,
     * log-probabilities within 1e-4.
     */
    @Test
    void concurrentRequestsDecodeTogetherAndEqualOneAtATime() throws Exception {
        Path f32 = tmp.resolve("f32-batch");
        DemoCheckpoint.write(f32, DemoCheckpoint.DEMO.withDtype(DType.F32), false);
        List<GenerationOptions> options = List.of(GenerationOptions.greedy(24).withLogprobs(true, false),
                GenerationOptions.greedy(6).withLogprobs(true, false),
                GenerationOptions.greedy(16).withLogprobs(true, false).withSampling(0.8, 0.9, 5),
                GenerationOptions.greedy(10).withLogprobs(true, false));
        List<String> questions = List.of("What is the total?", "Who signed it?", "List every date on the page.", "Sum?");
        List<GenerateResult> alone = new ArrayList<>();
        try (EmbeddedEngine e = new EmbeddedEngine(f32, "cpu", "float32", dev.quire.vlm.checkpoint.WeightDigests.uncached(), 1)) {
            for (int i = 0; i < 4; i++) {
                alone.add(e.generate(request(questions.get(i), i == 0, options.get(i))));
            }
            assertEquals(1, e.peakBatch());
        }
        try (EmbeddedEngine e = new EmbeddedEngine(f32, "cpu", "float32", dev.quire.vlm.checkpoint.WeightDigests.uncached(), 4)) {
            GenerateResult[] together = new GenerateResult[4];
            Throwable[] failed = new Throwable[4];
            Thread[] threads = new Thread[4];
            java.util.concurrent.atomic.AtomicBoolean waited = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch decoding = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 4; i++) {
                int n = i;
                GenerationOptions o = options.get(i);
                if (i == 0) { // on the decode thread: hold the first step until requests 1 and 2 have joined
                    o = o.withListener((id, d) -> {
                        decoding.countDown();
                        long until = System.nanoTime() + 60_000_000_000L;
                        while (!waited.get() && e.joiningCount() < 2 && System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        waited.set(true);
                    });
                }
                if (i == 1) { // request 3 starts once request 1 is decoding
                    o = o.withListener((id, d) -> {
                        synchronized (threads) {
                            if (threads[3].getState() == Thread.State.NEW) {
                                threads[3].start();
                            }
                        }
                    });
                }
                GenerationOptions oo = o;
                threads[i] = new Thread(() -> {
                    try {
                        together[n] = e.generate(request(questions.get(n), n == 0, oo));
                    } catch (Throwable x) {
                        failed[n] = x;
                    }
                });
            }
            threads[0].start();
            assertTrue(decoding.await(60, java.util.concurrent.TimeUnit.SECONDS), "request 0 reached its first token");
            threads[1].start();
            threads[2].start();
            for (int i = 0; i < 4; i++) {
                threads[i].join(120_000);
                assertNull(failed[i], "request " + i + " failed: " + failed[i]);
            }
            assertTrue(e.peakBatch() >= 3, "requests 0–2 decoded in one step; widest step was " + e.peakBatch());
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(alone.get(i).tokens(), together[i].tokens(), "request " + i + " tokens");
                assertEquals(alone.get(i).stopReason(), together[i].stopReason());
                for (int t = 0; t < alone.get(i).tokens().length; t++) {
                    assertEquals(alone.get(i).logprobs()[t], together[i].logprobs()[t], 1e-4, "request " + i + " token " + t);
                }
            }
        }
    }

    private static GenerateRequest request(String question, boolean image, GenerationOptions o) {
        return image ? ask(o) : new GenerateRequest(null, List.of(PromptPart.text(question)), o);
    }

    @Test
    void utf8BoundariesAreRespectedWhenStreaming() {
        byte[] euro = "a€".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, EmbeddedEngine.completeUtf8Prefix(java.util.Arrays.copyOf(euro, 2)));
        assertEquals(1, EmbeddedEngine.completeUtf8Prefix(java.util.Arrays.copyOf(euro, 3)));
        assertEquals(4, EmbeddedEngine.completeUtf8Prefix(euro));
    }

    @Test
    void tokenCostsAddUpToThePromptTheEngineBuilds() {
        try (EmbeddedEngine e = new EmbeddedEngine(demo, "cpu")) {
            TokenCosts c = e.costs();
            java.util.Random r = new java.util.Random(7);
            for (int trial = 0; trial < 40; trial++) {
                List<PromptPart> parts = new ArrayList<>();
                int expected = c.templateTokens(trial % 2 == 0 ? null : "You read documents.");
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    String label = "Page " + (1 + r.nextInt(900)) + (r.nextBoolean() ? " (thumbnail):" : ":");
                    int w = 1 + r.nextInt(trial < 20 ? 300 : 2500);
                    int h = 1 + r.nextInt(trial < 20 ? 300 : 2500);
                    parts.add(PromptPart.text(label));
                    parts.add(PromptPart.image(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB)));
                    expected += c.textTokens(label) + c.imagePartTokens(w, h);
                }
                String q = "Question: what is written on page " + trial + "? Réponds 简短.";
                parts.add(PromptPart.text(q));
                expected += c.textTokens(q);
                GenerateRequest req = new GenerateRequest(trial % 2 == 0 ? null : "You read documents.", parts,
                        GenerationOptions.greedy(1));
                assertEquals(expected, e.promptTokens(req), "trial " + trial);
            }
        }
    }

    @Test
    void closingWhileGeneratingStopsTheGenerationInsteadOfCrashing() throws Exception {
        EmbeddedEngine e = new EmbeddedEngine(demo, "cpu");
        java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Thread> closer = new java.util.concurrent.atomic.AtomicReference<>();
        // On the first generated token another thread closes the engine (as a shutdown hook would); close() marks
        // the engine closing at once and then waits for the generation to leave.
        GenerationOptions o = GenerationOptions.greedy(1000).withListener((id, d) -> {
            if (closer.get() == null) {
                Thread c = new Thread(e::close);
                closer.set(c);
                c.start();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Thread t = new Thread(() -> {
            try {
                e.generate(ask(o));
            } catch (Throwable x) {
                outcome.set(x);
            }
        });
        t.start();
        t.join(60_000);
        closer.get().join(60_000);
        assertFalse(t.isAlive());
        assertFalse(closer.get().isAlive(), "close() returned once the generation had left");
        assertTrue(outcome.get() instanceof EngineClosedException, String.valueOf(outcome.get()));
        assertTrue(outcome.get().getMessage().contains("shutting down"));
    }
}
