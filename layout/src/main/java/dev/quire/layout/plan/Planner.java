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

    public PromptPlan plan(String document, List<PageInfo> pages, String question, List<Demonstration> demos,
                           PlanSettings s) {
        long t0 = System.nanoTime();
        if (question == null || question.isBlank()) {
            throw new PlanException("the question is empty");
        }
        int context = s.contextTokens() == 0 ? costs.contextLength() : Math.min(s.contextTokens(), costs.contextLength());
        int template = costs.templateTokens(s.system());
        int pageCount = pages.size();

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
        List<Item> demoItems = demoItems(demos);
        int demoTokens = demoItems.stream().mapToInt(Item::tokens).sum();
        Item instructions = text(PromptText.instructions(question));

        Map<Integer, Item> full = new HashMap<>();
        Map<Integer, Item> fullLabel = new HashMap<>();
        for (PageInfo p : usable) {
            full.put(p.number(), fullImage(p, s));
            fullLabel.put(p.number(), text(PromptText.label(p.number(), Resolution.FULL)));
        }

        // One prompt with the whole document: fixed texts + pages.
        Item intro = text(PromptText.documentIntro(document, pageCount, 1, pageCount, false));
        int fixed = template + demoTokens + instructions.tokens() + s.answerTokens();
        if (fixed + intro.tokens() > context) {
            throw new PlanException("the question, instructions, demonstrations and answer room alone need "
                    + (fixed + intro.tokens()) + " tokens; the context has " + context
                    + " (shorten the question, drop demonstrations or lower the answer tokens)");
        }
        int allFull = usable.stream().mapToInt(p -> full.get(p.number()).tokens() + fullLabel.get(p.number()).tokens()).sum();
        Strategy want = s.strategy();
        if (want == Strategy.SINGLE || want == Strategy.AUTO) {
            if (fixed + intro.tokens() + allFull <= context) {
                List<Item> items = new ArrayList<>(demoItems);
                items.add(intro);
                for (PageInfo p : usable) {
                    items.add(fullLabel.get(p.number()));
                    items.add(full.get(p.number()));
                }
                items.add(instructions);
                Prompt prompt = prompt(Role.ANSWER, 1, pageCount, template, items, 0);
                return done(document, pageCount, question, s, Strategy.SINGLE, context, 0, List.of(prompt), skipped, "", t0);
            }
            if (want == Strategy.SINGLE) {
                throw new PlanException(document + ": " + usable.size() + " pages need " + allFull
                        + " tokens at native resolution, but only " + (context - fixed - intro.tokens())
                        + " of the " + context + "-token context are left after the question and the answer room"
                        + " (use strategy multigranular or mapreduce)");
            }
        }
        if (want == Strategy.MULTIGRANULAR || want == Strategy.AUTO) {
            PromptPlan plan = multigranular(document, pages, usable, question, demoItems, instructions, full, fullLabel,
                    template, context, skipped, s, t0);
            if (plan != null) {
                return plan;
            }
            if (want == Strategy.MULTIGRANULAR) {
                throw new PlanException(document + ": even " + s.minThumbnailTokens() + "-token thumbnails of its "
                        + usable.size() + " pages do not fit the " + context + "-token context (use strategy mapreduce)");
            }
        }
        return mapReduce(document, pageCount, usable, question, demoItems, instructions, full, fullLabel, template,
                context, skipped, s, t0);
    }

    private PromptPlan multigranular(String document, List<PageInfo> all, List<PageInfo> usable, String question,
                                     List<Item> demoItems, Item instructions, Map<Integer, Item> full,
                                     Map<Integer, Item> fullLabel, int template, int context, List<Skipped> skipped,
                                     PlanSettings s, long t0) {
        int pageCount = all.size();
        Item intro = text(PromptText.documentIntro(document, pageCount, 1, pageCount, true));
        int fixed = template + demoItems.stream().mapToInt(Item::tokens).sum() + intro.tokens() + instructions.tokens()
                + s.answerTokens();
        for (int target = s.thumbnailTokens(); target >= s.minThumbnailTokens(); target = nextSmaller(target, s)) {
            Map<Integer, Item> thumb = new HashMap<>();
            Map<Integer, Item> thumbLabel = new HashMap<>();
            int total = fixed;
            for (PageInfo p : usable) {
                Item t = thumbnail(p, full.get(p.number()), target);
                Item l = text(PromptText.label(p.number(), Resolution.THUMBNAIL));
                thumb.put(p.number(), t);
                thumbLabel.put(p.number(), l);
                total += t.tokens() + l.tokens();
            }
            if (total > context) {
                if (target == s.minThumbnailTokens()) {
                    break;
                }
                continue;
            }
            float[] query = queryEmbedder == null ? null : queryEmbedder.apply(question);
            PageRanker.Ranking ranking = ranker.rank(question, query, usable);
            Set<Integer> upgraded = new HashSet<>();
            int left = context - total;
            for (int page : ranking.order()) {
                int delta = full.get(page).tokens() + fullLabel.get(page).tokens()
                        - thumb.get(page).tokens() - thumbLabel.get(page).tokens();
                if (delta <= left) {
                    upgraded.add(page);
                    left -= delta;
                }
            }
            List<Item> items = new ArrayList<>(demoItems);
            items.add(intro);
            for (PageInfo p : usable) {
                boolean f = upgraded.contains(p.number());
                items.add(f ? fullLabel.get(p.number()) : thumbLabel.get(p.number()));
                items.add(f ? full.get(p.number()) : thumb.get(p.number()));
            }
            items.add(instructions);
            Prompt prompt = prompt(Role.ANSWER, 1, pageCount, template, items, 0);
            return done(document, pageCount, question, s, Strategy.MULTIGRANULAR, context, target, List.of(prompt),
                    skipped, ranking.method(), t0);
        }
        return null;
    }

    private static int nextSmaller(int target, PlanSettings s) {
        return target == s.minThumbnailTokens() ? 0 : Math.max(s.minThumbnailTokens(), target * 3 / 4);
    }

    private PromptPlan mapReduce(String document, int pageCount, List<PageInfo> usable, String question,
                                 List<Item> demoItems, Item instructions, Map<Integer, Item> full,
                                 Map<Integer, Item> fullLabel, int template, int context, List<Skipped> skipped,
                                 PlanSettings s, long t0) {
        int fixed = template + demoItems.stream().mapToInt(Item::tokens).sum() + instructions.tokens() + s.answerTokens();
        List<Prompt> prompts = new ArrayList<>();
        int i = 0;
        while (i < usable.size()) {
            int first = usable.get(i).number();
            // Grow the chunk page by page while it fits; only the intro ("Pages a to b …") depends on its range.
            int pagesTokens = 0;
            int j = i;
            while (j < usable.size()) {
                PageInfo p = usable.get(j);
                int page = full.get(p.number()).tokens() + fullLabel.get(p.number()).tokens();
                int intro = costs.textTokens(PromptText.documentIntro(document, pageCount, first, p.number(), false));
                if (fixed + intro + pagesTokens + page > context) {
                    if (j == i) {
                        throw new PlanException(document + ": page " + p.number() + " alone needs "
                                + (fixed + intro + page) + " tokens with the question and the answer room; the context has "
                                + context);
                    }
                    break;
                }
                pagesTokens += page;
                j++;
            }
            List<PageInfo> chunk = usable.subList(i, j);
            int last = chunk.getLast().number();
            List<Item> items = new ArrayList<>(demoItems);
            items.add(text(PromptText.documentIntro(document, pageCount, first, last, false)));
            for (PageInfo p : chunk) {
                items.add(fullLabel.get(p.number()));
                items.add(full.get(p.number()));
            }
            items.add(instructions);
            prompts.add(prompt(Role.MAP, first, last, template, items, 0));
            i = j;
        }
        // The reduce call quotes each chunk's answer: keep room for a label and a full answer per chunk.
        List<Item> reduceItems = List.of(text(PromptText.reduceIntro(document, pageCount, prompts.size())),
                text(PromptText.reduceInstructions(question)));
        int reserved = 0;
        for (Prompt m : prompts) {
            reserved += costs.textTokens(PromptText.chunkAnswer(m.firstPage(), m.lastPage(), "", List.of())) + s.answerTokens();
        }
        Prompt reduce = prompt(Role.REDUCE, 1, pageCount, template, reduceItems, reserved);
        if (reduce.promptTokens() + s.answerTokens() <= context) {
            prompts.add(reduce);
        }
        // else: too many chunks to quote in one call; the answers are combined by rule (AnswerParser.combine).
        return done(document, pageCount, question, s, Strategy.MAPREDUCE, context, 0, prompts, skipped, "", t0);
    }

    private PromptPlan done(String document, int pages, String question, PlanSettings s, Strategy used, int context,
                            int thumbTokens, List<Prompt> prompts, List<Skipped> skipped, String ranking, long t0) {
        PromptPlan plan = new PromptPlan(document, pages, question, s.strategy(), used, context, s.answerTokens(),
                thumbTokens, prompts, skipped, ranking, (System.nanoTime() - t0) / 1000);
        if (plan.peakTokens() > context) {
            throw new IllegalStateException("planner bug: " + plan.peakTokens() + " tokens planned for a "
                    + context + "-token context");
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
