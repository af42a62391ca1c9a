package dev.quire.layout.plan;

import dev.quire.layout.plan.PromptPlan.Item;
import dev.quire.layout.plan.PromptPlan.Kind;
import dev.quire.layout.plan.PromptPlan.Prompt;
import dev.quire.layout.plan.PromptPlan.Resolution;
import dev.quire.layout.plan.PromptPlan.Role;
import dev.quire.layout.plan.PromptPlan.Skipped;
import dev.quire.layout.render.InkBox;
import dev.quire.vlm.engine.TokenCosts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Plans one question over one document for a model's context. Every token count comes from the model's
 * {@link TokenCosts} (its prompt builder, tokenizer and image processor); the planner only chooses sizes.
 *
 * <p>Pages are cropped to their ink (plus a margin, widened to the encoder grid) and blank pages are left out
 * and recorded. {@code single} puts every page at native resolution; {@code multigranular} shows every page as
 * a thumbnail and upgrades the most relevant pages ({@link PageRanker}) to native resolution while the budget
 * lasts, keeping page order; {@code mapreduce} cuts the document into consecutive chunks that fit and adds a
 * reduce call over the chunk answers. Demonstrations come before the document; the question and the answer
 * format after it.
 */
public final class Planner {
    private final TokenCosts costs;
    private final PageRanker ranker = new PageRanker();
    private final Function<String, float[]> queryEmbedder;

    /**
     * @param queryEmbedder embeds the question for semantic ranking; null ranks by BM25 and position only
     */
    public Planner(TokenCosts costs, Function<String, float[]> queryEmbedder) {
        this.costs = costs;
        this.queryEmbedder = queryEmbedder;
    }

    /**
     * What every strategy plans from: the document, its usable pages with their full-resolution items and labels,
     * the fixed parts of the prompt, and the budget.
     */
    private record Input(String document, int pageCount, List<PageInfo> usable, String question, List<Item> demoItems,
                         Item instructions, Map<Integer, Item> full, Map<Integer, Item> fullLabel, int template,
                         int context, List<Skipped> skipped, PlanSettings settings, long startNanos) {

        int demoTokens() {
            return demoItems.stream().mapToInt(Item::tokens).sum();
        }

        /** Tokens of a page at native resolution with its label. */
        int fullTokens(int page) {
            return full.get(page).tokens() + fullLabel.get(page).tokens();
        }
    }

    public PromptPlan plan(String document, List<PageInfo> pages, String question, List<Demonstration> demos,
                           PlanSettings s) {
        long t0 = System.nanoTime();
        if (question == null || question.isBlank()) {
            throw new PlanException("the question is empty");
        }
        int context = s.contextTokens() == 0 ? costs.contextLength() : Math.min(s.contextTokens(), costs.contextLength());
        List<Skipped> skipped = new ArrayList<>();
        List<PageInfo> usable = new ArrayList<>();
        for (PageInfo p : pages) {
            if (p.unavailable() != null) {
                skipped.add(new Skipped(p.number(), p.unavailable()));
            } else if (s.skipBlank() && p.blank()) {
                skipped.add(new Skipped(p.number(), "blank page (no ink)"));
            } else {
                usable.add(p);
            }
        }
        if (usable.isEmpty()) {
            throw new PlanException(document + ": no page can be shown to the model (" + skipped.size()
                    + " pages, all blank or unavailable)");
        }
        Map<Integer, Item> full = new HashMap<>();
        Map<Integer, Item> fullLabel = new HashMap<>();
        for (PageInfo p : usable) {
            full.put(p.number(), fullImage(p, s));
            fullLabel.put(p.number(), text(PromptText.label(p.number(), Resolution.FULL)));
        }
        Input in = new Input(document, pages.size(), usable, question, demoItems(demos),
                text(PromptText.instructions(question)), full, fullLabel, costs.templateTokens(s.system()), context,
                skipped, s, t0);

        int alone = in.template() + in.demoTokens() + in.instructions().tokens() + s.answerTokens()
                + costs.textTokens(PromptText.documentIntro(document, pages.size(), 1, pages.size(), false));
        if (alone > context) {
            throw new PlanException("the question, instructions, demonstrations and answer room alone need "
                    + alone + " tokens; the context has " + context
                    + " (shorten the question, drop demonstrations or lower the answer tokens)");
        }
        Strategy want = s.strategy();
        if (want == Strategy.SINGLE || want == Strategy.AUTO) {
            PromptPlan plan = single(in);
            if (plan != null) {
                return plan;
            }
        }
        if (want == Strategy.MULTIGRANULAR || want == Strategy.AUTO) {
            PromptPlan plan = multigranular(in);
            if (plan != null) {
                return plan;
            }
            if (want == Strategy.MULTIGRANULAR) {
                throw new PlanException(document + ": even " + s.minThumbnailTokens() + "-token thumbnails of its "
                        + usable.size() + " pages do not fit the " + context + "-token context (use strategy mapreduce)");
            }
        }
        return mapReduce(in);
    }

    /** Every usable page at native resolution in one prompt; null when that does not fit (auto goes on). */
    private PromptPlan single(Input in) {
        PlanSettings s = in.settings();
        Item intro = text(PromptText.documentIntro(in.document(), in.pageCount(), 1, in.pageCount(), false));
        int fixed = in.template() + in.demoTokens() + in.instructions().tokens() + s.answerTokens();
        int allFull = in.usable().stream().mapToInt(p -> in.fullTokens(p.number())).sum();
        if (fixed + intro.tokens() + allFull <= in.context()) {
            List<Item> items = new ArrayList<>(in.demoItems());
            items.add(intro);
            for (PageInfo p : in.usable()) {
                items.add(in.fullLabel().get(p.number()));
                items.add(in.full().get(p.number()));
            }
            items.add(in.instructions());
            Prompt prompt = prompt(Role.ANSWER, 1, in.pageCount(), in.template(), items, 0);
            return done(in, Strategy.SINGLE, 0, List.of(prompt), "");
        }
        if (s.strategy() == Strategy.SINGLE) {
            throw new PlanException(in.document() + ": " + in.usable().size() + " pages need " + allFull
                    + " tokens at native resolution, but only " + (in.context() - fixed - intro.tokens())
                    + " of the " + in.context() + "-token context are left after the question and the answer room"
                    + " (use strategy multigranular or mapreduce)");
        }
        return null;
    }

    /** Every page as a thumbnail, the most relevant ones upgraded to native resolution; null when even that does not fit. */
    private PromptPlan multigranular(Input in) {
        PlanSettings s = in.settings();
        int pageCount = in.pageCount();
        Item intro = text(PromptText.documentIntro(in.document(), pageCount, 1, pageCount, true));
        int fixed = in.template() + in.demoTokens() + intro.tokens() + in.instructions().tokens() + s.answerTokens();
        for (int target = s.thumbnailTokens(); target >= s.minThumbnailTokens(); target = nextSmaller(target, s)) {
            Map<Integer, Item> thumb = new HashMap<>();
            Map<Integer, Item> thumbLabel = new HashMap<>();
            int total = fixed;
            for (PageInfo p : in.usable()) {
                Item t = thumbnail(p, in.full().get(p.number()), target);
                Item l = text(PromptText.label(p.number(), Resolution.THUMBNAIL));
                thumb.put(p.number(), t);
                thumbLabel.put(p.number(), l);
                total += t.tokens() + l.tokens();
            }
            if (total > in.context()) {
                if (target == s.minThumbnailTokens()) {
                    break;
                }
                continue;
            }
            float[] query = queryEmbedder == null ? null : queryEmbedder.apply(in.question());
            PageRanker.Ranking ranking = ranker.rank(in.question(), query, in.usable());
            Set<Integer> upgraded = new HashSet<>();
            int left = in.context() - total;
            for (int page : ranking.order()) {
                int delta = in.fullTokens(page) - thumb.get(page).tokens() - thumbLabel.get(page).tokens();
                if (delta <= left) {
                    upgraded.add(page);
                    left -= delta;
                }
            }
            List<Item> items = new ArrayList<>(in.demoItems());
            items.add(intro);
            for (PageInfo p : in.usable()) {
                boolean f = upgraded.contains(p.number());
                items.add(f ? in.fullLabel().get(p.number()) : thumbLabel.get(p.number()));
                items.add(f ? in.full().get(p.number()) : thumb.get(p.number()));
            }
            items.add(in.instructions());
            Prompt prompt = prompt(Role.ANSWER, 1, pageCount, in.template(), items, 0);
            return done(in, Strategy.MULTIGRANULAR, target, List.of(prompt), ranking.method());
        }
        return null;
    }

    private static int nextSmaller(int target, PlanSettings s) {
        return target == s.minThumbnailTokens() ? 0 : Math.max(s.minThumbnailTokens(), target * 3 / 4);
    }

    /** Consecutive chunks that fit, each asked on its own, then a reduce call over the chunk answers if it fits. */
    private PromptPlan mapReduce(Input in) {
        PlanSettings s = in.settings();
        String document = in.document();
        int pageCount = in.pageCount();
        List<PageInfo> usable = in.usable();
        int fixed = in.template() + in.demoTokens() + in.instructions().tokens() + s.answerTokens();
        List<Prompt> prompts = new ArrayList<>();
        int i = 0;
        while (i < usable.size()) {
            int first = usable.get(i).number();
            // Grow the chunk page by page while it fits; only the intro ("Pages a to b …") depends on its range.
            int pagesTokens = 0;
            int j = i;
            while (j < usable.size()) {
                PageInfo p = usable.get(j);
                int page = in.fullTokens(p.number());
                int intro = costs.textTokens(PromptText.documentIntro(document, pageCount, first, p.number(), false));
                if (fixed + intro + pagesTokens + page > in.context()) {
                    if (j == i) {
                        throw new PlanException(document + ": page " + p.number() + " alone needs "
                                + (fixed + intro + page) + " tokens with the question and the answer room; the context has "
                                + in.context());
                    }
                    break;
                }
                pagesTokens += page;
                j++;
            }
            List<PageInfo> chunk = usable.subList(i, j);
            int last = chunk.getLast().number();
            List<Item> items = new ArrayList<>(in.demoItems());
            items.add(text(PromptText.documentIntro(document, pageCount, first, last, false)));
            for (PageInfo p : chunk) {
                items.add(in.fullLabel().get(p.number()));
                items.add(in.full().get(p.number()));
            }
            items.add(in.instructions());
            prompts.add(prompt(Role.MAP, first, last, in.template(), items, 0));
            i = j;
        }
        // The reduce call quotes each chunk's answer: keep room for a label and a full answer per chunk.
        List<Item> reduceItems = List.of(text(PromptText.reduceIntro(document, pageCount, prompts.size())),
                text(PromptText.reduceInstructions(in.question())));
        int reserved = 0;
        for (Prompt m : prompts) {
            reserved += costs.textTokens(PromptText.chunkAnswer(m.firstPage(), m.lastPage(), "", List.of())) + s.answerTokens();
        }
        Prompt reduce = prompt(Role.REDUCE, 1, pageCount, in.template(), reduceItems, reserved);
        if (reduce.promptTokens() + s.answerTokens() <= in.context()) {
            prompts.add(reduce);
        }
        // else: too many chunks to quote in one call; the answers are combined by rule (AnswerParser.combine).
        return done(in, Strategy.MAPREDUCE, 0, prompts, "");
    }

    private PromptPlan done(Input in, Strategy used, int thumbTokens, List<Prompt> prompts, String ranking) {
        PlanSettings s = in.settings();
        PromptPlan plan = new PromptPlan(in.document(), in.pageCount(), in.question(), s.strategy(), used, in.context(),
                s.answerTokens(), thumbTokens, prompts, in.skipped(), ranking, (System.nanoTime() - in.startNanos()) / 1000);
        if (plan.peakTokens() > in.context()) {
            throw new IllegalStateException("planner bug: " + plan.peakTokens() + " tokens planned for a "
                    + in.context() + "-token context");
        }
        return plan;
    }

    private Prompt prompt(Role role, int first, int last, int template, List<Item> items, int reserved) {
        int total = template + reserved + items.stream().mapToInt(Item::tokens).sum();
        return new Prompt(role, first, last, template, items, reserved, total);
    }

    private Item text(String t) {
        return Item.text(t, costs.textTokens(t));
    }

    private List<Item> demoItems(List<Demonstration> demos) {
        List<Item> items = new ArrayList<>();
        if (demos.isEmpty()) {
            return items;
        }
        items.add(text(PromptText.demosIntro(demos.size())));
        for (int i = 0; i < demos.size(); i++) {
            Demonstration d = demos.get(i);
            int w = d.image().getWidth();
            int h = d.image().getHeight();
            items.add(text(PromptText.demoLabel(i)));
            items.add(new Item(Kind.DEMO, null, i, null, new InkBox(0, 0, w, h), w, h, w, h, costs.imagePartTokens(w, h)));
            items.add(text(PromptText.demoAnswer(d)));
        }
        return items;
    }

    /** The page at native resolution, cropped to its ink plus the margin, the crop widened to the encoder grid. */
    Item fullImage(PageInfo p, PlanSettings s) {
        InkBox crop = new InkBox(0, 0, p.width(), p.height());
        if (s.cropMargins() && p.ink() != null) {
            crop = cropToGrid(p, s.marginPx());
        }
        return new Item(Kind.PAGE, null, p.number(), Resolution.FULL, crop, crop.width(), crop.height(), crop.width(),
                crop.height(), costs.imagePartTokens(crop.width(), crop.height()));
    }

    private InkBox cropToGrid(PageInfo p, int margin) {
        InkBox ink = p.ink();
        int align = costs.imageAlignment();
        int x0 = Math.max(0, ink.x() - margin);
        int y0 = Math.max(0, ink.y() - margin);
        int x1 = Math.min(p.width(), ink.x() + ink.width() + margin);
        int y1 = Math.min(p.height(), ink.y() + ink.height() + margin);
        int w = Math.min(p.width(), ceilTo(Math.max(1, x1 - x0), align));
        int h = Math.min(p.height(), ceilTo(Math.max(1, y1 - y0), align));
        x0 = Math.min(x0, p.width() - w);
        y0 = Math.min(y0, p.height() - h);
        return new InkBox(x0, y0, w, h);
    }

    /** The thumbnail of a page's full-resolution crop: the largest scaled copy that costs at most {@code target} vision tokens. */
    Item thumbnail(PageInfo p, Item full, int target) {
        InkBox crop = full.crop();
        int align = costs.imageAlignment();
        double scale = Math.min(1.0, Math.sqrt((double) target * align * align / ((double) crop.width() * crop.height())));
        for (int i = 0; i < 400; i++) {
            int iw = Math.max(1, (int) Math.floor(crop.width() * scale));
            int ih = Math.max(1, (int) Math.floor(crop.height() * scale));
            int w = ceilTo(iw, align);
            int h = ceilTo(ih, align);
            if (costs.imageTokens(w, h) <= target || (iw == 1 && ih == 1)) {
                return new Item(Kind.PAGE, null, p.number(), Resolution.THUMBNAIL, crop, iw, ih, w, h,
                        costs.imagePartTokens(w, h));
            }
            scale *= 0.97;
        }
        throw new IllegalStateException("no thumbnail of " + crop.width() + "x" + crop.height() + " fits " + target + " tokens");
    }

    private static int ceilTo(int v, int a) {
        return Math.max(a, (v + a - 1) / a * a);
    }
}
