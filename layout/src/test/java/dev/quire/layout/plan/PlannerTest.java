package dev.quire.layout.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.layout.plan.PromptPlan.Kind;
import dev.quire.layout.plan.PromptPlan.Resolution;
import dev.quire.layout.plan.PromptPlan.Role;
import dev.quire.layout.render.InkBox;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.engine.PromptBuilder;
import dev.quire.vlm.engine.PromptPart;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlannerTest {
    static final PromptBuilder COSTS = DemoCosts.builder();
    static final Planner PLANNER = new Planner(COSTS, null);

    static PageInfo page(int n, int w, int h, String text) {
        return new PageInfo(n, w, h, new InkBox(40, 56, w - 80, h - 112), false, text, null, null);
    }

    static List<PageInfo> pages(int n, Random r) {
        List<PageInfo> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int w = 28 * (10 + r.nextInt(30));
            int h = 28 * (10 + r.nextInt(30));
            out.add(page(i, w, h, "page " + i + " text about topic " + r.nextInt(50)));
        }
        return out;
    }

    /** The exact count: what the engine's prompt builder makes of the assembled prompt. */
    static int built(PlanSettings s, PromptPlan.Prompt p, List<PageInfo> pages, List<Demonstration> demos) throws IOException {
        List<PromptPart> parts = PromptAssembler.parts(p, n -> {
            PageInfo info = pages.get(n - 1);
            return new BufferedImage(info.width(), info.height(), BufferedImage.TYPE_3BYTE_BGR);
        }, demos);
        return COSTS.build(new GenerateRequest(s.system(), parts, GenerationOptions.greedy(1))).tokens().length();
    }

    @Test
    void plannedTokensEqualTheEnginesPromptForManyPageSizes() throws IOException {
        Random r = new Random(11);
        int checked = 0;
        int refused = 0;
        java.util.Set<Strategy> strategies = java.util.EnumSet.noneOf(Strategy.class);
        for (int trial = 0; trial < 30; trial++) {
            List<PageInfo> pages = new ArrayList<>();
            int n = 1 + r.nextInt(12);
            for (int i = 1; i <= n; i++) {
                int w = 1 + r.nextInt(1400);
                int h = 1 + r.nextInt(1400);
                InkBox ink = r.nextBoolean() ? null : new InkBox(r.nextInt(w), r.nextInt(h), 1, 1);
                ink = ink == null ? null : new InkBox(ink.x(), ink.y(), 1 + r.nextInt(w - ink.x()), 1 + r.nextInt(h - ink.y()));
                pages.add(new PageInfo(i, w, h, ink, false, "words " + i, null, null));
            }
            Strategy strategy = Strategy.values()[trial % 4];
            int context = 3000 + r.nextInt(20000);
            PlanSettings s = PlanSettings.defaults().withStrategy(strategy).withContext(context).withAnswerTokens(64)
                    .withThumbnails(64, 4);
            if (trial % 3 == 0) {
                s = new PlanSettings(s.strategy(), s.contextTokens(), s.answerTokens(), 64, 4, true, 14, true, "Read carefully.");
            }
            List<Demonstration> demos = trial % 5 == 0
                    ? List.of(new Demonstration(new BufferedImage(90 + trial, 50, BufferedImage.TYPE_INT_RGB), "What?", "That", List.of(1)))
                    : List.of();
            PromptPlan plan;
            try {
                plan = PLANNER.plan("doc.pdf", pages, "What is the total on page " + trial + "?", demos, s);
            } catch (PlanException e) {
                refused++; // a forced strategy that cannot fit: covered elsewhere
                continue;
            }
            for (PromptPlan.Prompt p : plan.prompts()) {
                if (p.role() != Role.REDUCE) {
                    assertEquals(p.promptTokens(), built(s, p, pages, demos), "trial " + trial + " " + plan.strategy());
                }
                assertTrue(p.promptTokens() + plan.answerTokens() <= context);
            }
            checked++;
            strategies.add(plan.strategy());
        }
        // Refusals are skipped, so make sure most trials were checked, and every strategy was.
        assertTrue(checked >= 24, checked + " of 30 trials checked (" + refused + " refused)");
        assertEquals(java.util.EnumSet.of(Strategy.SINGLE, Strategy.MULTIGRANULAR, Strategy.MAPREDUCE), strategies,
                "every strategy's prompts were compared with the engine's");
    }

    @Test
    void reducePromptFitsItsReservation() {
        List<PageInfo> pages = pages(60, new Random(3));
        PlanSettings s = PlanSettings.defaults().withStrategy(Strategy.MAPREDUCE).withContext(12000).withAnswerTokens(40);
        PromptPlan plan = PLANNER.plan("doc.pdf", pages, "Which year?", List.of(), s);
        List<PromptPlan.Prompt> maps = plan.prompts().stream().filter(p -> p.role() == Role.MAP).toList();
        PromptPlan.Prompt reduce = plan.prompts().getLast();
        assertEquals(Role.REDUCE, reduce.role());
        assertTrue(maps.size() > 1);
        List<ParsedAnswer> answers = new ArrayList<>();
        for (PromptPlan.Prompt m : maps) {
            answers.add(new ParsedAnswer("The total was 4,100 kroner in the year 2019 " + "x".repeat(m.firstPage() % 7 * 30), List.of(m.firstPage(), m.lastPage()), List.of()));
        }
        int tokens = COSTS.build(new GenerateRequest(null, PromptAssembler.reduceParts(reduce, maps, answers, COSTS, plan.answerTokens()),
                GenerationOptions.greedy(1))).tokens().length();
        assertTrue(tokens <= reduce.promptTokens(), tokens + " > " + reduce.promptTokens());
        // chunks are consecutive, cover every page once, and each fits
        int next = 1;
        for (PromptPlan.Prompt m : maps) {
            assertEquals(next, m.firstPage());
            next = m.lastPage() + 1;
        }
        assertEquals(61, next);
    }

    @Test
    void autoPicksSingleWhenEverythingFitsAtNativeResolution() {
        List<PageInfo> pages = pages(5, new Random(1));
        PromptPlan plan = PLANNER.plan("small.pdf", pages, "What is it?", List.of(), PlanSettings.defaults());
        assertEquals(Strategy.SINGLE, plan.strategy());
        assertEquals(List.of(1, 2, 3, 4, 5), plan.fullResolutionPages());
        assertEquals(0, plan.thumbnailPages());
    }

    @Test
    void autoUsesThumbnailsPlusRelevantPagesWhenTheDocumentDoesNotFit() {
        List<PageInfo> pages = new ArrayList<>();
        for (int i = 1; i <= 400; i++) {
            String text = i == 277 ? "The merger with Halvorsen Shipping closed on 12 March for 4.1 billion kroner."
                    : "Routine operational notes for week " + i + " about staffing, maintenance and logistics.";
            pages.add(page(i, 812, 1036, text));
        }
        PromptPlan plan = PLANNER.plan("long.pdf", pages, "When did the Halvorsen Shipping merger close?", List.of(),
                PlanSettings.defaults());
        assertEquals(Strategy.MULTIGRANULAR, plan.strategy());
        assertTrue(plan.fullResolutionPages().contains(277), "the page with the fact is at native resolution");
        assertEquals(400, plan.fullPages() + plan.thumbnailPages(), "every page is shown once");
        assertTrue(plan.fullPages() > 10);
        assertTrue(plan.peakTokens() <= 131072);
        // page order is kept
        List<Integer> order = plan.prompts().getFirst().items().stream().filter(i -> i.kind() == Kind.PAGE)
                .map(PromptPlan.Item::page).toList();
        for (int i = 0; i < order.size(); i++) {
            assertEquals(i + 1, order.get(i));
        }
    }

    @Test
    void autoFallsBackToMapReduceWhenEvenThumbnailsDoNotFit() {
        PromptPlan plan = PLANNER.plan("huge.pdf", pages(300, new Random(2)), "Q?", List.of(),
                PlanSettings.defaults().withContext(8000).withThumbnails(64, 32));
        assertEquals(Strategy.MAPREDUCE, plan.strategy());
        assertEquals(300, plan.fullPages());
    }

    @Test
    void forcedStrategiesThatCannotFitSayWhy() {
        List<PageInfo> pages = pages(300, new Random(2));
        PlanException single = assertThrows(PlanException.class, () -> PLANNER.plan("huge.pdf", pages, "Q?", List.of(),
                PlanSettings.defaults().withStrategy(Strategy.SINGLE)));
        assertTrue(single.getMessage().contains("huge.pdf") && single.getMessage().contains("multigranular"), single.getMessage());
        PlanException multi = assertThrows(PlanException.class, () -> PLANNER.plan("huge.pdf", pages, "Q?", List.of(),
                PlanSettings.defaults().withStrategy(Strategy.MULTIGRANULAR).withContext(4000).withThumbnails(16, 16)));
        assertTrue(multi.getMessage().contains("mapreduce"), multi.getMessage());
    }

    @Test
    void blankAndUnavailablePagesAreSkippedAndRecorded() {
        List<PageInfo> pages = new ArrayList<>(pages(6, new Random(4)));
        pages.set(2, new PageInfo(3, 812, 1036, null, true, "", null, null));
        pages.set(4, PageInfo.missing(5, "page 5 of x.pdf: stream is truncated (not rendered)"));
        PromptPlan plan = PLANNER.plan("x.pdf", pages, "Q?", List.of(), PlanSettings.defaults());
        assertEquals(List.of(1, 2, 4, 6), plan.fullResolutionPages());
        assertEquals(List.of(new PromptPlan.Skipped(3, "blank page (no ink)"),
                new PromptPlan.Skipped(5, "page 5 of x.pdf: stream is truncated (not rendered)")), plan.skipped());
    }

    @Test
    void marginsAreCroppedToTheInkOnTheEncoderGrid() {
        PageInfo p = new PageInfo(1, 812, 1036, new InkBox(100, 150, 500, 600), false, "t", null, null);
        PromptPlan plan = PLANNER.plan("x.pdf", List.of(p), "Q?", List.of(), PlanSettings.defaults());
        PromptPlan.Item img = plan.prompts().getFirst().items().stream().filter(i -> i.kind() == Kind.PAGE).findFirst().orElseThrow();
        InkBox c = img.crop();
        assertEquals(0, c.width() % 28);
        assertEquals(0, c.height() % 28);
        assertTrue(c.x() <= 86 && c.y() <= 136 && c.x() + c.width() >= 614 && c.y() + c.height() >= 764, c.toString());
        assertTrue(img.tokens() < COSTS.imagePartTokens(812, 1036), "cropping saves tokens");
        PromptPlan uncropped = PLANNER.plan("x.pdf", List.of(p), "Q?", List.of(),
                new PlanSettings(Strategy.AUTO, 0, 512, 128, 16, false, 14, true, null));
        assertEquals(new InkBox(0, 0, 812, 1036), uncropped.prompts().getFirst().items().stream()
                .filter(i -> i.kind() == Kind.PAGE).findFirst().orElseThrow().crop());
    }

    @Test
    void demonstrationsComeFirstAndAreCounted() {
        Demonstration d = new Demonstration(new BufferedImage(280, 280, BufferedImage.TYPE_INT_RGB), "What colour?", "Black", List.of(1));
        PromptPlan with = PLANNER.plan("x.pdf", pages(3, new Random(5)), "Q?", List.of(d), PlanSettings.defaults());
        PromptPlan without = PLANNER.plan("x.pdf", pages(3, new Random(5)), "Q?", List.of(), PlanSettings.defaults());
        List<PromptPlan.Item> items = with.prompts().getFirst().items();
        assertEquals(Kind.DEMO, items.get(2).kind());
        int demoTokens = items.subList(0, 4).stream().mapToInt(PromptPlan.Item::tokens).sum();
        assertEquals(without.prompts().getFirst().promptTokens() + demoTokens, with.prompts().getFirst().promptTokens());
        assertTrue(items.get(3).text().contains("Answer: Black"));
    }

    @Test
    void everyPageImageIsPrecededByItsLabel() {
        PromptPlan plan = PLANNER.plan("x.pdf", pages(40, new Random(6)), "Q?", List.of(),
                PlanSettings.defaults().withContext(20000));
        List<PromptPlan.Item> items = plan.prompts().getFirst().items();
        for (int i = 0; i < items.size(); i++) {
            PromptPlan.Item it = items.get(i);
            if (it.kind() == Kind.PAGE) {
                String label = items.get(i - 1).text();
                assertEquals(it.resolution() == Resolution.THUMBNAIL ? "Page " + it.page() + " (thumbnail):" : "Page " + it.page() + ":", label);
            }
        }
    }
}
