package dev.quire.web.review;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The review queue's settings ({@code quire.review.*}, documented in the README). */
@ConfigMapping(prefix = "quire.review")
public interface ReviewConfig {
    /**
     * Answers whose mean token log-probability is below this get the "low confidence" badge (-1.0: the tokens' geometric
     * mean probability is under e^-1 ≈ 0.37). Applies to answers assessed after it is set.
     */
    @WithDefault("-1.0")
    double lowConfidenceLogprob();
}
