package dev.quire.vlm.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.demo.DemoCheckpoint;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reuse across requests changes nothing but the work done: a question continued from a cached prefilled prefix,
 * or over cached image encodings, has the logits of the same prompt computed from scratch (float32 checkpoint).
 */
class PromptReuseTest {
    /** Largest |Δlogit| allowed between reused and from-scratch computation (logits have std ≈ 1 here). */
    static final double TOLERANCE = 1e-5;

    @TempDir
    static Path tmp;
    static Path f32;

    /** The same model with both caches off: every prompt from scratch (the reference). */
    static EmbeddedEngine off;

    @BeforeAll
    static void checkpoint() throws Exception {
        f32 = tmp.resolve("f32");
        DemoCheckpoint.write(f32, DemoCheckpoint.DEMO.withDtype(DType.F32), false);
        off = engine(CacheBudgets.OFF);
    }

    @org.junit.jupiter.api.AfterAll
    static void close() {
        off.close();
    }

    static EmbeddedEngine engine(CacheBudgets budgets) {
        return new EmbeddedEngine(f32, "cpu", "float32", dev.quire.vlm.checkpoint.WeightDigests.uncached(), budgets);
    }

    static BufferedImage page(int n, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(30 * n % 255, 90, 160));
        g.fillRect(10 * n, 20, 60, 40 + 7 * n);
        g.setColor(Color.BLACK);
        g.drawString("Page " + n + " total " + (41 + n), 15, h - 30);
        g.dispose();
        return img;
    }

    /** A single-plan prompt: labels and page images (keyed as the planner's pages are), then the question. */
    static GenerateRequest ask(String question, boolean keyed, BufferedImage... pages) {
        List<PromptPart> parts = new ArrayList<>();
        parts.add(PromptPart.text("The document \"r.pdf\" has " + pages.length + " pages.\n"));
        for (int i = 0; i < pages.length; i++) {
            parts.add(PromptPart.text("Page " + (i + 1) + ":"));
            parts.add(keyed ? PromptPart.image(pages[i], "sha" + System.identityHashCode(pages[i]) + ":full")
                    : PromptPart.image(pages[i]));
        }
        parts.add(PromptPart.text("\nQuestion: " + question + "\nAnswer from the pages above."));
        return new GenerateRequest(null, parts, GenerationOptions.greedy(3).withLogprobs(false, true).withPrefillChunk(160));
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static final BufferedImage P1 = page(1, 200, 260);
    static final BufferedImage P2 = page(2, 230, 180);
    static final String[] QUESTIONS = {"What is the total on page 1?", "Who wrote it?", "Which year?"};

    @Test
    void questionsContinuedFromASharedPrefixHaveTheLogitsOfTheFullPromptFromScratch() {
        List<GenerateResult> scratch = new ArrayList<>();
        long missesBefore = off.cacheStats().visionMisses();
        for (String q : QUESTIONS) {
            scratch.add(off.generate(ask(q, true, P1, P2)));
        }
        CacheBudgets.Stats offStats = off.cacheStats();
        assertEquals(2L * QUESTIONS.length, offStats.visionMisses() - missesBefore, "caches off: every image encoded");
        assertEquals(0, offStats.visionHits() + offStats.prefixHits() + offStats.visionEntries() + offStats.prefixEntries());
        try (EmbeddedEngine on = engine(CacheBudgets.DEFAULT)) {
            for (int i = 0; i < QUESTIONS.length; i++) {
                GenerateResult r = on.generate(ask(QUESTIONS[i], true, P1, P2));
                double d = maxDiff(scratch.get(i).firstLogits(), r.firstLogits());
                System.out.printf("question %d: max |Δlogit| reused vs scratch %.2e (prefix tokens reused %d; %s vs %s)%n",
                        i, d, r.timings().prefixCacheTokens(), r.timings(), scratch.get(i).timings());
                assertTrue(d <= TOLERANCE, "question " + i + ": max |Δlogit| " + d);
                assertArrayEquals(scratch.get(i).tokens(), r.tokens(), "question " + i);
                assertEquals(scratch.get(i).promptTokens(), r.promptTokens());
                if (i == 0) {
                    assertEquals(2, r.timings().visionCacheMisses());
                    assertEquals(0, r.timings().prefixCacheTokens());
                } else {
                    assertEquals(0, r.timings().visionCacheHits() + r.timings().visionCacheMisses(),
                            "a cached prefix needs no image encoded");
                    assertTrue(r.timings().prefixCacheTokens() > on.costs().imageTokens(200, 260)
                            + on.costs().imageTokens(230, 180), "the prefix holds both images");
                    assertTrue(r.timings().prefixCacheTokens() < r.promptTokens());
                }
            }
            CacheBudgets.Stats s = on.cacheStats();
            assertEquals(QUESTIONS.length - 1, s.prefixHits());
            assertEquals(1, s.prefixMisses());
            assertEquals(1, s.prefixEntries());
            assertEquals(2, s.visionMisses());
        }
    }

    @Test
    void eachExactImageIsEncodedOnceAndCachedEncodingsGiveTheSameLogits() {
        CacheBudgets visionOnly = new CacheBudgets(CacheBudgets.DEFAULT_VISION_BYTES, 0);
        BufferedImage p3 = page(3, 150, 150);
        try (EmbeddedEngine on = engine(visionOnly)) {
            GenerateResult first = on.generate(ask(QUESTIONS[0], true, P1, P2));
            assertEquals(2, first.timings().visionCacheMisses());
            // The second question, and a prompt that adds a page: the known pages come from the cache.
            GenerateResult second = on.generate(ask(QUESTIONS[1], true, P1, P2));
            assertEquals(2, second.timings().visionCacheHits());
            assertEquals(0, second.timings().visionCacheMisses());
            assertEquals(0, second.timings().prefixCacheTokens(), "prefix cache is off");
            GenerateResult more = on.generate(ask(QUESTIONS[1], true, p3, P2, P1));
            assertEquals(2, more.timings().visionCacheHits());
            assertEquals(1, more.timings().visionCacheMisses());
            double d = maxDiff(off.generate(ask(QUESTIONS[1], true, p3, P2, P1)).firstLogits(), more.firstLogits());
            System.out.printf("cached image encodings vs scratch: max |Δlogit| %.2e%n", d);
            assertTrue(d <= TOLERANCE, "max |Δlogit| " + d);

            // Without a key the engine keys an image by its processed pixels: equal pixels hit, other pixels miss.
            GenerateResult unkeyed = on.generate(ask(QUESTIONS[2], false, page(1, 200, 260), page(9, 200, 260)));
            assertEquals(1, unkeyed.timings().visionCacheHits() + unkeyed.timings().visionCacheMisses() - 1);
            GenerateResult again = on.generate(ask(QUESTIONS[0], false, page(1, 200, 260), page(9, 200, 260)));
            assertEquals(2, again.timings().visionCacheHits());
            BufferedImage touched = page(1, 200, 260);
            touched.setRGB(100, 100, 0x123456);
            GenerateResult changed = on.generate(ask(QUESTIONS[0], false, touched, page(9, 200, 260)));
            assertEquals(1, changed.timings().visionCacheHits());
            assertEquals(1, changed.timings().visionCacheMisses(), "one changed pixel is another image");
        }
    }

    @Test
    void aPrefixLargerThanItsBudgetIsDroppedAndTheAnswerIsTheSame() {
        try (EmbeddedEngine tiny = engine(new CacheBudgets(1024, 1024))) {
            for (String q : List.of(QUESTIONS).subList(0, 2)) {
                GenerateResult r = tiny.generate(ask(q, true, P1, P2));
                assertEquals(0, r.timings().prefixCacheTokens());
                assertEquals(2, r.timings().visionCacheMisses(), "encodings larger than the budget are not kept");
                assertTrue(maxDiff(off.generate(ask(q, true, P1, P2)).firstLogits(), r.firstLogits()) <= TOLERANCE);
            }
            CacheBudgets.Stats s = tiny.cacheStats();
            assertEquals(2, s.prefixDropped());
            assertEquals(0, s.prefixEntries());
            assertEquals(0, s.prefixBytes());
            assertEquals(0, s.visionEntries());
        }
    }

    @Test
    void aBudgetForOnePrefixKeepsTheMostRecentDocument() {
        long onePrefix;
        try (EmbeddedEngine probe = engine(new CacheBudgets(0, CacheBudgets.DEFAULT_PREFIX_BYTES))) {
            probe.generate(ask(QUESTIONS[0], true, P1, P2));
            onePrefix = probe.cacheStats().prefixBytes();
            assertTrue(onePrefix > 0);
        }
        BufferedImage other = page(5, 200, 260);
        try (EmbeddedEngine e = engine(new CacheBudgets(0, onePrefix + onePrefix / 2))) {
            e.generate(ask(QUESTIONS[0], true, P1, P2));
            e.generate(ask(QUESTIONS[0], true, other, P2)); // evicts the first document's prefix
            assertEquals(1, e.cacheStats().prefixEntries());
            assertTrue(e.cacheStats().prefixBytes() <= onePrefix + onePrefix / 2);
            assertTrue(e.generate(ask(QUESTIONS[1], true, other, P2)).timings().prefixCacheTokens() > 0);
            assertEquals(0, e.generate(ask(QUESTIONS[1], true, P1, P2)).timings().prefixCacheTokens());
        }
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedAndRefusesWhatCannotFit() {
        List<String> closed = new ArrayList<>();
        record V(String name, List<String> closed) implements AutoCloseable {
            public void close() {
                closed.add(name);
            }
        }
        ByteBudgetLru<V> lru = new ByteBudgetLru<>(100);
        assertTrue(lru.put("a", new V("a", closed), 40));
        assertTrue(lru.put("b", new V("b", closed), 40));
        assertNotNull(lru.get("a")); // a is now the most recent
        assertTrue(lru.put("c", new V("c", closed), 40));
        assertEquals(List.of("b"), closed);
        assertNull(lru.get("b"));
        assertEquals(80, lru.used());
        assertFalse(lru.put("huge", new V("huge", closed), 101));
        assertEquals(List.of("b"), closed, "a refused entry evicts nothing and is left to its owner");
        lru.clear();
        assertEquals(0, lru.used());
        assertEquals(3, closed.size());
    }
}
