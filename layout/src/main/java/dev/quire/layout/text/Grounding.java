package dev.quire.layout.text;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Does an answer occur on the pages it cites? The one grounding check of the platform: the review queue ranks
 * ungrounded answers first and highlights the matched words, evaluation runs report the ungrounded rate.
 *
 * <p>Both sides are read as {@link TextUnits} (numbers and dates by value, words as lower-case letter and digit
 * runs without accents or punctuation). An answer is grounded on a page when
 * <ul>
 *   <li>its units occur there in order (exact), or</li>
 *   <li>a window of the page's units spells it within {@link #minSimilarity} (normalised Levenshtein over the
 *       units' letters, so "U.S." finds "US" and "well-off" finds "well off"), with every number and date of
 *       the answer present in the window by value — a number is never "almost" found, or</li>
 *   <li>for long answers (more than {@value #LONG_ANSWER_UNITS} units, e.g. a sentence), at least
 *       {@link #minSimilarity} of its units occur in one window of the page, every number and date included.</li>
 * </ul>
 * Blank answers, "Not answerable" and yes/no answers cannot be looked for in a text and are {@code NOT_CHECKED}.
 */
public final class Grounding {
    /** Answers longer than this many units are checked by coverage instead of spelling. */
    public static final int LONG_ANSWER_UNITS = 8;
    public static final double DEFAULT_MIN_SIMILARITY = 0.8;

    private final double minSimilarity;

    public Grounding() {
        this(DEFAULT_MIN_SIMILARITY);
    }

    public Grounding(double minSimilarity) {
        if (!(minSimilarity > 0 && minSimilarity <= 1)) {
            throw new IllegalArgumentException("minimum similarity must be in (0, 1], got " + minSimilarity);
        }
        this.minSimilarity = minSimilarity;
    }

    /** One cited page: its 1-based number and its text-layer words in reading order. */
    public record PageWords(int page, List<String> words) {
        public PageWords {
            words = List.copyOf(words);
        }
    }

    public enum Verdict { GROUNDED, UNGROUNDED, NO_EVIDENCE, NOT_CHECKED }

    /** Where a value was found: words {@code [fromWord, toWord)} of {@code page}. */
    public record Span(String value, int page, int fromWord, int toWord, double similarity) {
    }

    /** The verdict, a reason a reviewer can read, and the matched spans (for highlighting). */
    public record Result(Verdict verdict, String reason, List<Span> spans) {
        public Result {
            spans = List.copyOf(spans);
        }

        public boolean grounded() {
            return verdict == Verdict.GROUNDED;
        }
    }

    /** Checks one answer against the pages it cites. */
    public Result check(String answer, List<PageWords> cited) {
        return checkEach(answer == null ? List.of() : List.of(answer), cited);
    }

    /**
     * Checks a list answer: every value must occur on a cited page (each may be on a different one). Values that
     * cannot be checked (blank, yes/no) are left out; when none is left the result is {@code NOT_CHECKED}.
     */
    public Result checkEach(List<String> values, List<PageWords> cited) {
        List<String> checkable = values.stream().filter(v -> notCheckable(v) == null).toList();
        if (checkable.isEmpty()) {
            String why = values.isEmpty() ? "no answer" : notCheckable(values.getFirst());
            return new Result(Verdict.NOT_CHECKED, why, List.of());
        }
        if (cited.isEmpty()) {
            return new Result(Verdict.NO_EVIDENCE, "the answer cites no page", List.of());
        }
        List<TextUnits> pages = cited.stream().map(p -> TextUnits.of(p.words())).toList();
        List<Span> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Span closest = null;
        for (String value : checkable) {
            TextUnits want = TextUnits.of(List.of(value));
            Span best = null;
            for (int i = 0; i < pages.size(); i++) {
                Span s = bestSpan(value, want, cited.get(i).page(), pages.get(i));
                if (s != null && (best == null || s.similarity() > best.similarity())) {
                    best = s;
                }
            }
            if (best != null && best.similarity() >= minSimilarity) {
                found.add(best);
            } else {
                missing.add(value);
                if (best != null && (closest == null || best.similarity() > closest.similarity())) {
                    closest = best;
                }
            }
        }
        String pageList = cited.stream().map(p -> Integer.toString(p.page())).collect(Collectors.joining(", "));
        if (missing.isEmpty()) {
            return new Result(Verdict.GROUNDED, (found.size() == 1 ? "found on page " + found.getFirst().page()
                    : "every value found on the cited pages") + exactness(found), found);
        }
        String what = missing.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", "));
        String reason = what + (missing.size() == 1 ? " does" : " do") + " not occur on cited page"
                + (cited.size() == 1 ? " " : "s ") + pageList;
        if (closest != null && closest.similarity() > 0) {
            reason += String.format(" (closest: page %d, similarity %.2f)", closest.page(), closest.similarity());
        }
        return new Result(Verdict.UNGROUNDED, reason, found);
    }

    private static String exactness(List<Span> spans) {
        double worst = spans.stream().mapToDouble(Span::similarity).min().orElse(1);
        return worst >= 1 ? "" : String.format(" (fuzzy match, similarity %.2f)", worst);
    }

    /** Why a value cannot be looked for in a text, or null when it can. */
    static String notCheckable(String value) {
        if (value == null || value.isBlank()) {
            return "empty answer";
        }
        String v = value.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("[.!]+$", "");
        if (v.equals("not answerable")) {
            return "not answerable";
        }
        if (v.matches("yes|no|true|false")) {
            return "a yes/no answer does not occur in a text";
        }
        if (TextUnits.of(List.of(value)).size() == 0) {
            return "the answer has no letters or digits";
        }
        return null;
    }

    /** The best place for {@code want} on one page, or null when nothing there comes close. */
    private Span bestSpan(String value, TextUnits want, int pageNo, TextUnits page) {
        int k = want.size();
        if (page.size() == 0) {
            return null;
        }
        int exact = page.indexOf(want);
        if (exact >= 0) {
            return span(value, pageNo, page, exact, exact + k, 1.0);
        }
        Span best = null;
        if (k > LONG_ANSWER_UNITS) {
            int width = Math.min(page.size(), k + k / 2);
            for (int from = 0; from + width <= page.size(); from++) {
                double cover = page.coverage(want, from, from + width);
                if (cover > 0 && (best == null || cover > best.similarity())) {
                    best = span(value, pageNo, page, from, from + width, cover);
                }
            }
            return best;
        }
        String squashed = want.letters(0, k);
        for (int width = Math.max(1, k - 2); width <= k + 2; width++) {
            for (int from = 0; from + width <= page.size(); from++) {
                int to = from + width;
                if (!page.containsValues(want, from, to)) {
                    continue;
                }
                String there = page.letters(from, to);
                int longer = Math.max(squashed.length(), there.length());
                double bound = longer == 0 ? 1 : 1.0 - (double) Math.abs(squashed.length() - there.length()) / longer;
                if (best != null && bound <= best.similarity()) {
                    continue;
                }
                double sim = similarity(squashed, there);
                if (sim > 0 && (best == null || sim > best.similarity())) {
                    best = span(value, pageNo, page, from, to, sim);
                }
            }
        }
        return best;
    }

    private static Span span(String value, int pageNo, TextUnits page, int fromUnit, int toUnit, double sim) {
        return new Span(value, pageNo, page.firstWord(fromUnit), page.lastWord(toUnit - 1) + 1, sim);
    }

    /** 1 − Levenshtein(a, b) / max(|a|, |b|). */
    static double similarity(String a, String b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return 1.0 - (double) prev[b.length()] / Math.max(a.length(), b.length());
    }
}
