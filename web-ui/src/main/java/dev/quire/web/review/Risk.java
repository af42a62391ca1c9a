package dev.quire.web.review;

import java.util.List;

/**
 * The risk of one answer: its badges, each with the reason a reviewer reads, and where its words are on the cited
 * pages. The score is the sum of the badges' weights: the queue shows the riskiest answers first.
 */
public record Risk(List<Badge> badges, List<Highlight> highlights) {
    public Risk {
        badges = List.copyOf(badges);
        highlights = List.copyOf(highlights);
    }

    /** Kinds of badges and their weights. */
    public enum Kind {
        FAILED("failed", 100),
        PARSE_ERROR("parse error", 90),
        UNGROUNDED("ungrounded", 60),
        NO_EVIDENCE("no evidence", 50),
        EVIDENCE_NOT_SEEN("evidence not seen", 40),
        CHUNKS_DISAGREE("chunks disagree", 40),
        LOW_CONFIDENCE("low confidence", 35),
        NOT_ANSWERABLE("not answerable", 30),
        DEMO_MODEL("DEMO MODEL", 0);

        public final String label;
        public final int weight;

        Kind(String label, int weight) {
            this.label = label;
            this.weight = weight;
        }
    }

    public record Badge(Kind kind, String label, String reason, int weight) {
        static Badge of(Kind kind, String reason) {
            return new Badge(kind, kind.label, reason, kind.weight);
        }
    }

    /** A word of the answer on a page, in the stored page image's pixels. */
    public record Highlight(int page, int x0, int y0, int x1, int y1) {
    }

    public int score() {
        return badges.stream().mapToInt(Badge::weight).sum();
    }
}
