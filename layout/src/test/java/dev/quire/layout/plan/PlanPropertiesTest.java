package dev.quire.layout.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.layout.plan.PromptPlan.Kind;
import dev.quire.layout.plan.PromptPlan.Role;
import dev.quire.layout.render.InkBox;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties over random documents (page counts 1–600, page sizes from stamps to posters, random ink, blank and
 * failed pages) and random budgets: a plan never exceeds its context, shows every usable page exactly once per
 * answer prompt (or in exactly one chunk), records every skipped page, and a forced strategy either fits or
 * says why. Each case is seeded, so a failure names the seed that reproduces it.
 */
class PlanPropertiesTest {
    static final Planner PLANNER = new Planner(DemoCosts.builder(), null);
    static final java.util.concurrent.atomic.AtomicInteger PLANNED = new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.concurrent.atomic.AtomicInteger REFUSED = new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.Map<Strategy, Integer> USED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Refused cases check only the refusal: most of the 300 cases must have been planned and checked in full. */
    @org.junit.jupiter.api.AfterAll
    static void mostCasesWereCheckedInFull() {
        System.out.println("PlanPropertiesTest: " + PLANNED + " planned and checked, " + REFUSED + " refused; strategies " + USED);
        assertTrue(PLANNED.get() >= 200, PLANNED + " of 300 cases planned (" + REFUSED + " refused)");
        assertEquals(java.util.Set.of(Strategy.SINGLE, Strategy.MULTIGRANULAR, Strategy.MAPREDUCE), USED.keySet());
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 300).mapToObj(i -> 1_000L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void plansNeverOverflowAndAccountForEveryPage(long seed) {
        Random r = new Random(seed);
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(600) : r.nextInt(60));
        List<PageInfo> pages = new ArrayList<>();
        Set<Integer> skippable = new HashSet<>();
        for (int i = 1; i <= n; i++) {
            int roll = r.nextInt(20);
            if (roll == 0) {
                pages.add(PageInfo.missing(i, "page " + i + " failed"));
                skippable.add(i);
                continue;
            }
            int w = 28 * (1 + r.nextInt(roll == 1 ? 70 : 36));
            int h = 28 * (1 + r.nextInt(roll == 2 ? 70 : 36));
            boolean blank = roll == 3;
            InkBox ink = blank || r.nextBoolean() ? null : inkIn(r, w, h);
            if (blank) {
                skippable.add(i);
            }
            pages.add(new PageInfo(i, w, h, ink, blank, r.nextInt(3) == 0 ? "" : "text " + r.nextInt(100), null, null));
        }
        int context = 2_000 + r.nextInt(140_000);
        Strategy strategy = Strategy.values()[r.nextInt(4)];
        int thumb = 4 + r.nextInt(256);
        PlanSettings s = PlanSettings.defaults().withStrategy(strategy).withContext(context)
                .withAnswerTokens(1 + r.nextInt(1024)).withThumbnails(thumb, 1 + r.nextInt(thumb));
        PromptPlan plan;
        try {
            plan = PLANNER.plan("random.pdf", pages, "What is the value in row " + r.nextInt(99) + "?", List.of(), s);
        } catch (PlanException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().length() > 20, "a refusal says why: " + e.getMessage());
            if (strategy == Strategy.AUTO) {
                // auto only refuses when a single page (or the question alone) cannot fit the context
                assertTrue(e.getMessage().contains("alone") || e.getMessage().contains("no page"), e.getMessage());
            }
            REFUSED.incrementAndGet();
            return;
        }
        int effective = Math.min(context, DemoCosts.builder().contextLength());
        assertTrue(plan.peakTokens() <= effective, "seed " + seed + ": " + plan.peakTokens() + " > " + effective);
        for (PromptPlan.Prompt p : plan.prompts()) {
            int sum = p.templateTokens() + p.reservedTokens() + p.items().stream().mapToInt(PromptPlan.Item::tokens).sum();
            assertEquals(sum, p.promptTokens());
            assertTrue(p.promptTokens() + plan.answerTokens() <= effective);
        }
        Set<Integer> skipped = new HashSet<>();
        plan.skipped().forEach(x -> skipped.add(x.page()));
        assertEquals(skippable, skipped, "seed " + seed);
        List<Integer> shown = plan.prompts().stream().filter(p -> p.role() != Role.REDUCE)
                .flatMap(p -> p.items().stream()).filter(i -> i.kind() == Kind.PAGE).map(PromptPlan.Item::page).toList();
        List<Integer> expected = IntStream.rangeClosed(1, n).filter(i -> !skippable.contains(i)).boxed().toList();
        assertEquals(expected, shown, "seed " + seed + ": every usable page once, in order");
        for (PromptPlan.Item i : plan.prompts().getFirst().items()) {
            if (i.kind() == Kind.PAGE) {
                PageInfo p = pages.get(i.page() - 1);
                assertTrue(i.crop().x() >= 0 && i.crop().y() >= 0 && i.crop().x() + i.crop().width() <= p.width()
                        && i.crop().y() + i.crop().height() <= p.height(), "crop inside the page");
                assertTrue(i.width() >= i.imageWidth() && i.height() >= i.imageHeight());
            }
        }
        PLANNED.incrementAndGet();
        USED.merge(plan.strategy(), 1, Integer::sum);
    }

    static InkBox inkIn(Random r, int w, int h) {
        int x = r.nextInt(w);
        int y = r.nextInt(h);
        return new InkBox(x, y, 1 + r.nextInt(w - x), 1 + r.nextInt(h - y));
    }
}
