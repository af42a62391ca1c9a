package dev.quire.layout.plan;

import dev.quire.layout.render.InkBox;
import java.util.List;

/**
 * The planner's decision for one question over one document: which prompts are sent, and in each, which texts
 * and which page images at which size, in order, with the exact token count of every item. It is stored with
 * every answer, so a reviewer sees what the model saw.
 *
 * @param document       the document's name (file name)
 * @param pages          pages in the document
 * @param question       the question planned for
 * @param requested      the strategy asked for
 * @param strategy       the strategy used
 * @param contextTokens  the context the plan had to fit
 * @param answerTokens   tokens kept free for each answer
 * @param thumbnailTokens vision-token target of one thumbnail (0 when no thumbnails)
 * @param prompts        the model calls, in order (for mapreduce the maps, then the reduce)
 * @param skipped        pages left out, with the reason
 * @param ranking        how pages were ranked for full resolution ("" when not needed)
 * @param planningMicros time the planner took
 */
public record PromptPlan(String document, int pages, String question, Strategy requested, Strategy strategy,
                         int contextTokens, int answerTokens, int thumbnailTokens, List<Prompt> prompts,
                         List<Skipped> skipped, String ranking, long planningMicros) {

    public PromptPlan {
        prompts = List.copyOf(prompts);
        skipped = List.copyOf(skipped);
    }

    /** The role of one model call. */
    public enum Role { ANSWER, MAP, REDUCE }

    /** What an item is: text, a page image, or a demonstration's image. */
    public enum Kind { TEXT, PAGE, DEMO }

    public enum Resolution { FULL, THUMBNAIL }

    /**
     * One item of a prompt, in prompt order.
     *
     * @param kind        text, page image or demonstration image
     * @param text        the text (TEXT items)
     * @param page        1-based page number (PAGE), demonstration index from 0 (DEMO), else 0
     * @param resolution  FULL or THUMBNAIL (PAGE items)
     * @param crop        the region of the stored page image used (PAGE items)
     * @param imageWidth  the region scaled to this width (equals crop width at FULL)
     * @param imageHeight the region scaled to this height
     * @param width       the image sent: imageWidth padded with white to the encoder grid
     * @param height      the image sent
     * @param tokens      tokens this item adds to the prompt (image markers included)
     */
    public record Item(Kind kind, String text, int page, Resolution resolution, InkBox crop, int imageWidth,
                       int imageHeight, int width, int height, int tokens) {

        static Item text(String text, int tokens) {
            return new Item(Kind.TEXT, text, 0, null, null, 0, 0, 0, 0, tokens);
        }
    }

    /**
     * One model call.
     *
     * @param role           answer (single/multigranular), map (one chunk) or reduce
     * @param firstPage      first page this call covers
     * @param lastPage       last page this call covers
     * @param templateTokens the chat template's tokens (system turn, headers)
     * @param items          texts and images in order (for REDUCE: the fixed texts; chunk answers go before the last)
     * @param reservedTokens room kept for the chunk answers a reduce call quotes (0 otherwise)
     * @param promptTokens   template + items + reserved: the prompt's size, at most context − answer
     */
    public record Prompt(Role role, int firstPage, int lastPage, int templateTokens, List<Item> items,
                         int reservedTokens, int promptTokens) {
        public Prompt {
            items = List.copyOf(items);
        }

        public long pageImages(Resolution r) {
            return items.stream().filter(i -> i.kind() == Kind.PAGE && i.resolution() == r).count();
        }
    }

    /** A page left out of every prompt, and why. */
    public record Skipped(int page, String reason) {
    }

    /** Pages at native resolution, over all prompts. */
    public long fullPages() {
        return prompts.stream().mapToLong(p -> p.pageImages(Resolution.FULL)).sum();
    }

    public long thumbnailPages() {
        return prompts.stream().mapToLong(p -> p.pageImages(Resolution.THUMBNAIL)).sum();
    }

    /** The pages sent at native resolution, in order. */
    public List<Integer> fullResolutionPages() {
        return prompts.stream().flatMap(p -> p.items().stream())
                .filter(i -> i.kind() == Kind.PAGE && i.resolution() == Resolution.FULL).map(Item::page).toList();
    }

    /** Tokens of the largest prompt plus its answer: never above {@link #contextTokens}. */
    public int peakTokens() {
        return prompts.stream().mapToInt(Prompt::promptTokens).max().orElse(0) + answerTokens;
    }

    /** Prompt tokens over all calls (what the engine will prefill). */
    public long totalPromptTokens() {
        return prompts.stream().mapToLong(Prompt::promptTokens).sum();
    }
}
