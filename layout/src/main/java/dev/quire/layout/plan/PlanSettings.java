package dev.quire.layout.plan;

/**
 * Planner parameters ({@code quire.plan.*}).
 *
 * @param strategy            which strategy to use (auto chooses)
 * @param contextTokens       the context to plan for; 0 means the model's own context length (a larger value is
 *                            capped at the model's)
 * @param answerTokens        room kept for the answer ({@code max_new_tokens})
 * @param thumbnailTokens     vision tokens of one page thumbnail in the multigranular overview
 * @param minThumbnailTokens  smallest thumbnail before the planner gives up on one prompt (and maps-reduces)
 * @param cropMargins         crop each page to its ink box (plus {@code marginPx}) before encoding
 * @param marginPx            white margin kept around the ink, in pixels
 * @param skipBlank           leave pages without ink out (and record them)
 * @param system              the system text (null: the chat template's default system turn)
 */
public record PlanSettings(Strategy strategy, int contextTokens, int answerTokens, int thumbnailTokens,
                           int minThumbnailTokens, boolean cropMargins, int marginPx, boolean skipBlank, String system) {

    public PlanSettings {
        if (answerTokens < 1 || thumbnailTokens < 1 || minThumbnailTokens < 1 || minThumbnailTokens > thumbnailTokens
                || contextTokens < 0 || marginPx < 0) {
            throw new IllegalArgumentException("plan settings out of range: answer " + answerTokens + ", thumbnail "
                    + thumbnailTokens + " (min " + minThumbnailTokens + "), context " + contextTokens + ", margin " + marginPx);
        }
    }

    public static PlanSettings defaults() {
        return new PlanSettings(Strategy.AUTO, 0, 512, 128, 16, true, 14, true, null);
    }

    public PlanSettings withStrategy(Strategy s) {
        return new PlanSettings(s, contextTokens, answerTokens, thumbnailTokens, minThumbnailTokens, cropMargins, marginPx,
                skipBlank, system);
    }

    public PlanSettings withContext(int tokens) {
        return new PlanSettings(strategy, tokens, answerTokens, thumbnailTokens, minThumbnailTokens, cropMargins, marginPx,
                skipBlank, system);
    }

    public PlanSettings withAnswerTokens(int tokens) {
        return new PlanSettings(strategy, contextTokens, tokens, thumbnailTokens, minThumbnailTokens, cropMargins, marginPx,
                skipBlank, system);
    }

    public PlanSettings withSystem(String text) {
        return new PlanSettings(strategy, contextTokens, answerTokens, thumbnailTokens, minThumbnailTokens, cropMargins, marginPx,
                skipBlank, text);
    }

    public PlanSettings withThumbnails(int tokens, int minTokens) {
        return new PlanSettings(strategy, contextTokens, answerTokens, tokens, minTokens, cropMargins, marginPx,
                skipBlank, system);
    }
}
