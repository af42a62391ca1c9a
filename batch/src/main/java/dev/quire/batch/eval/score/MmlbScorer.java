package dev.quire.batch.eval.score;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * MMLongBench-Doc's per-question score in [0, 1], by the rules of the benchmark's {@code eval/eval_score.py},
 * quirks included:
 * <ul>
 *   <li>the "mile"/"million" suffix lines of its cleaning have no effect there (their result is discarded), so
 *       none here;</li>
 *   <li>Int: {@code int(gold) == int(float(pred))} — 10.9 counts as 10, "1,000" scores 0; a gold that is not an
 *       integer never matches, except that an empty gold matches an unparseable prediction (both end as "");</li>
 *   <li>Float: within 1 % relative (of the larger magnitude) of gold, gold/100 or gold×100, else equal after
 *       rounding to max(min(decimals), 2) places where decimals are counted in Python's {@code str(float)}
 *       ({@code 1e-05} has none, so 3; {@code 1.5e-05} counts "5e-05", 5);</li>
 *   <li>ANLS divides by the longer length after upper-casing and zeroes values ≤ 0.5 (the RRC script keeps
 *       exactly 0.5 — see {@link Anls});</li>
 *   <li>List: joined with "-" for numeric/exact-match golds, so {@code ['1-2','3']} equals {@code ['1','2-3']}.</li>
 * </ul>
 * Deliberate deviations, where the official script stops with an exception: a predicted list that is not a Python
 * literal (e.g. {@code [Circle, Rectangle]}), a gold list that is empty, and a Float gold that is not a number score 0
 * with a {@link Score#note() note} and the run goes on.
 */
public final class MmlbScorer {
    public static final String NOT_ANSWERABLE = "Not answerable";

    /** A score and, when the official script would have stopped or something needs saying, why. */
    public record Score(double value, String note) {
        static Score of(boolean ok) {
            return new Score(ok ? 1.0 : 0.0, null);
        }
    }

    private static final Pattern PARENS = Pattern.compile("[\\s\\x1c-\\x1f]*\\([^)]*\\)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern QUOTES = Pattern.compile("^['\"]|['\"]$");
    private static final int U = Pattern.UNICODE_CHARACTER_CLASS;
    private static final String SP = "[\\s\\x1c-\\x1f]";
    private static final Pattern NUMBERISH = Pattern.compile("\\b\\d+(-\\d+|" + SP + "\\d+)?\\b", U);
    private static final Pattern DAY = Pattern.compile("\\b\\d{4}[-\\s\\x1c-\\x1f]\\d{2}[-\\s\\x1c-\\x1f]\\d{2}\\b", U);
    private static final Pattern MONTH = Pattern.compile("\\b\\d{4}[-\\s\\x1c-\\x1f]\\d{2}\\b", U);
    private static final Pattern EMAIL = Pattern.compile("[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}");

    private MmlbScorer() {
    }

    /** The official cleaning: lower-case, strip, drop parenthesised parts, one quote each end, leading $, trailing %. */
    public static String clean(String raw) {
        String s = PyStr.strip(PyStr.lower(raw));
        s = PyStr.strip(PARENS.matcher(s).replaceAll(""));
        s = PyStr.strip(QUOTES.matcher(s).replaceAll(""));
        s = PyStr.strip(PyStr.lstrip(PyStr.strip(s), '$'));
        s = PyStr.strip(PyStr.rstrip(PyStr.strip(s), '%'));
        return s;
    }

    /** Strings compared by equality only: links, code files, "page …", numbers/phone numbers, times, dates, e-mail. */
    public static boolean isExactMatchClass(String s) {
        return s.contains("https://") || s.endsWith(".py") || s.endsWith("ipynb") || s.startsWith("page")
                || NUMBERISH.matcher(s).matches() || s.contains("a.m.") || s.contains("p.m.")
                || DAY.matcher(s).matches() || MONTH.matcher(s).matches() || EMAIL.matcher(s).matches();
    }

    /** The official ANLS of two already-cleaned strings: 1 − distance / longer upper-cased length, 0 when ≤ 0.5. */
    public static double anls(String gold, String pred) {
        int dist = PyStr.levenshtein(gold, pred);
        int length = Math.max(PyStr.upperLen(gold), PyStr.upperLen(pred));
        double value = length == 0 ? 0.0 : (double) dist / (double) length;
        double anls = 1.0 - value;
        return anls <= 0.5 ? 0.0 : anls;
    }

    /** Scores one prediction against its gold answer and answer format ({@code Int}, {@code Float}, {@code Str}, {@code None}, anything else = List). */
    public static Score score(String gold, String pred, String format) {
        return switch (format) {
            case "Int" -> scoreInt(gold, pred);
            case "Float" -> scoreFloat(gold, pred);
            case "Str", "None" -> {
                String g = clean(gold);
                String p = clean(pred);
                yield isExactMatchClass(g) ? Score.of(g.equals(p)) : new Score(anls(g, p), null);
            }
            default -> scoreList(gold, pred);
        };
    }

    private static Score scoreInt(String gold, String pred) {
        BigInteger g = PyNumber.parseInt(gold);
        Double pf = PyNumber.parseFloat(pred);
        BigInteger p = pf == null ? null : PyNumber.truncate(pf);
        if (g == null || p == null) {
            // the official script sets pred to "" and compares it with gold (still a string if it did not parse)
            return Score.of(g == null && gold.isEmpty());
        }
        return Score.of(g.equals(p));
    }

    private static Score scoreFloat(String gold, String pred) {
        Double g = PyNumber.parseFloat(clean(gold));
        if (g == null) {
            return new Score(0.0, "gold '" + gold + "' is not a number (the official script stops here)");
        }
        Double p = PyNumber.parseFloat(clean(pred));
        if (p == null) {
            return Score.of(false);
        }
        for (double item : new double[] {g / 100, g, g * 100}) {
            if (PyNumber.isClose(item, p, 0.01)) {
                return Score.of(true);
            }
            int precision = Math.max(Math.min(decimals(p), decimals(item)), 2);
            if (PyNumber.round(p, precision) == PyNumber.round(item, precision)) {
                return Score.of(true);
            }
        }
        return Score.of(false);
    }

    /** Digits after the last '.' of Python's {@code str(x)}, 3 when there is no '.'. */
    static int decimals(double x) {
        String s = PyNumber.repr(x);
        int dot = s.lastIndexOf('.');
        return dot < 0 ? 3 : s.length() - dot - 1;
    }

    private static Score scoreList(String gold, String pred) {
        List<Object> g;
        try {
            g = asList(gold);
        } catch (PyLiteral.Malformed e) {
            return new Score(0.0, "gold list is not a Python literal: " + e.getMessage());
        }
        List<Object> p;
        try {
            p = asList(pred);
        } catch (PyLiteral.Malformed e) {
            return new Score(0.0, "predicted list is not a Python literal: " + e.getMessage());
        }
        if (g.size() != p.size()) {
            return Score.of(false);
        }
        if (g.isEmpty()) {
            return new Score(0.0, "gold list is empty (the official script stops here)");
        }
        List<String> gc = new ArrayList<>(g.stream().map(v -> clean(PyLiteral.str(v))).toList());
        List<String> pc = new ArrayList<>(p.stream().map(v -> clean(PyLiteral.str(v))).toList());
        gc.sort(PyStr.ORDER);
        pc.sort(PyStr.ORDER);
        if (PyNumber.parseFloat(gc.get(0)) != null || isExactMatchClass(gc.get(0))) {
            return Score.of(String.join("-", gc).equals(String.join("-", pc)));
        }
        double min = Double.POSITIVE_INFINITY;
        for (int k = 0; k < gc.size(); k++) {
            min = Math.min(min, anls(gc.get(k), pc.get(k)));
        }
        return new Score(min, null);
    }

    /** A string starting with "[" is read as a literal; anything that is not a list becomes a one-element list. */
    private static List<Object> asList(String s) throws PyLiteral.Malformed {
        Object v = s;
        if (s.startsWith("[")) {
            v = PyLiteral.parse(s);
        }
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        List<Object> one = new ArrayList<>();
        one.add(v);
        return one;
    }

    /**
     * The answer in an extraction reply, as the official run reads it: the text between the first
     * "Extracted answer:" and the next one, cut at the first "Answer format:", stripped. Empty when the reply has no
     * "Extracted answer:" (the official run stops there; we score the item as "Failed to extract").
     */
    public static Optional<String> extractedAnswer(String reply) {
        String head = reply.split(Pattern.quote("Answer format:"), -1)[0];
        String[] parts = head.split(Pattern.quote("Extracted answer:"), -1);
        if (parts.length < 2) {
            return Optional.empty();
        }
        return Optional.of(PyStr.strip(parts[1]));
    }
}
