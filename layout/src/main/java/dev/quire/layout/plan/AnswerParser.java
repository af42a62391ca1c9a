package dev.quire.layout.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a model's reply into {@link ParsedAnswer}. The prompt asks for two lines, {@code Answer: …} and
 * {@code Evidence pages: …}; replies that drift are still read: markdown emphasis, other casing, a JSON object,
 * page ranges ("4-6"), "p. 7", a missing answer label, citations only inside the answer ("see page 3"), and
 * reasoning blocks ({@code ◁think▷…◁/think▷}, {@code <think>…</think>}) are handled. Pages outside the document
 * (or outside the chunk a map call saw) are dropped and noted, never invented.
 */
public final class AnswerParser {
    private static final Pattern THINK = Pattern.compile("(?s)(◁think▷.*?◁/think▷|<think>.*?</think>)");
    private static final Pattern ANSWER = Pattern.compile("(?im)^[\\s>*_#-]*(?:final\\s+)?answer[*_ \\t]*[:：][*_ \\t]*(.*)$");
    private static final Pattern EVIDENCE = Pattern.compile(
            "(?im)^[\\s>*_#-]*(?:evidence(?:\\s+pages?)?|pages?|sources?|citations?)[*_ \\t]*[:：][*_ \\t]*(.*)$");
    private static final Pattern NUMBER_OR_RANGE = Pattern.compile("(\\d{1,5})(?:\\s*(?:-|–|—|to)\\s*(\\d{1,5}))?");
    private static final Pattern PAGE_MENTION = Pattern.compile("(?i)\\b(?:pages?|pp?\\.)\\s*(\\d{1,5}(?:\\s*(?:,|and|&|-|–)\\s*\\d{1,5})*)");
    private static final Pattern JSON_ANSWER = Pattern.compile("(?s)\"answer\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern JSON_EVIDENCE = Pattern.compile("(?s)\"evidence(?:_pages|Pages)?\"\\s*:\\s*\\[([^\\]]*)\\]");
    private static final Pattern NOT_ANSWERABLE = Pattern.compile(
            "(?i)^(not answerable|unanswerable|cannot be answered|not answerable from the document|none|n/?a)[.!]?$");
    private static final int MAX_RANGE = 50;

    private AnswerParser() {
    }

    /** Parses a reply about pages {@code firstPage..lastPage} (the whole document, or one chunk). */
    public static ParsedAnswer parse(String raw, int firstPage, int lastPage) {
        List<String> problems = new ArrayList<>();
        String text = raw == null ? "" : THINK.matcher(raw).replaceAll("").strip();
        if (text.isEmpty()) {
            problems.add("empty reply");
            return new ParsedAnswer("", List.of(), problems);
        }
        String answer;
        String evidence = null;
        Matcher json = JSON_ANSWER.matcher(text);
        if (text.startsWith("{") && json.find()) {
            answer = json.group(1).replace("\\\"", "\"").replace("\\n", "\n").strip();
            Matcher je = JSON_EVIDENCE.matcher(text);
            evidence = je.find() ? je.group(1) : null;
        } else {
            Matcher a = ANSWER.matcher(text);
            Matcher e = EVIDENCE.matcher(text);
            boolean hasEvidence = e.find();
            if (hasEvidence) {
                evidence = e.group(1);
            }
            if (a.find()) {
                int end = hasEvidence && e.start() > a.start() ? e.start() : text.length();
                answer = (a.group(1) + text.substring(a.end(), Math.max(a.end(), end))).strip();
            } else {
                problems.add("no 'Answer:' line; the reply is taken as the answer");
                answer = (hasEvidence ? text.substring(0, e.start()) + text.substring(e.end()) : text).strip();
            }
        }
        answer = answer.replaceAll("^[*_`]+|[*_`]+$", "").strip();
        if (answer.length() >= 2 && answer.startsWith("\"") && answer.endsWith("\"")) {
            answer = answer.substring(1, answer.length() - 1).strip();
        }
        if (NOT_ANSWERABLE.matcher(answer).matches()) {
            answer = PromptText.NOT_ANSWERABLE;
        }
        TreeSet<Integer> pages = new TreeSet<>();
        if (evidence == null) {
            Matcher m = PAGE_MENTION.matcher(answer);
            while (m.find()) {
                collect(m.group(1), firstPage, lastPage, pages, problems);
            }
            problems.add(pages.isEmpty() ? "no evidence pages cited" : "evidence taken from page mentions in the answer");
        } else if (!evidence.strip().toLowerCase(Locale.ROOT).matches("\\W*(none|n/?a|-|)\\W*")) {
            collect(evidence, firstPage, lastPage, pages, problems);
            if (pages.isEmpty() && problems.isEmpty()) {
                problems.add("evidence line has no page numbers: " + evidence.strip());
            }
        }
        if (answer.isEmpty()) {
            problems.add("empty answer");
        }
        return new ParsedAnswer(answer, List.copyOf(pages), problems);
    }

    private static void collect(String list, int first, int last, TreeSet<Integer> pages, List<String> problems) {
        Matcher m = NUMBER_OR_RANGE.matcher(list);
        while (m.find()) {
            int a = Integer.parseInt(m.group(1));
            int b = m.group(2) == null ? a : Integer.parseInt(m.group(2));
            if (b < a || b - a > MAX_RANGE) {
                problems.add("ignored page range " + m.group().strip());
                continue;
            }
            for (int p = a; p <= b; p++) {
                if (p < first || p > last) {
                    problems.add("cited page " + p + " is outside pages " + first + "-" + last);
                } else {
                    pages.add(p);
                }
            }
        }
    }

    /**
     * The rule that combines chunk answers when no reduce call is made (or it fails): "Not answerable" when no
     * chunk answered; the single answer when exactly one did (or all answers agree); otherwise the first answering
     * chunk's answer, with every answering chunk's evidence, and a note that the chunks disagreed.
     */
    public static ParsedAnswer combine(List<ParsedAnswer> chunks) {
        List<ParsedAnswer> answered = chunks.stream().filter(ParsedAnswer::answerable).toList();
        if (answered.isEmpty()) {
            return new ParsedAnswer(PromptText.NOT_ANSWERABLE, List.of(), List.of());
        }
        TreeSet<Integer> pages = new TreeSet<>();
        answered.forEach(a -> pages.addAll(a.evidencePages()));
        long distinct = answered.stream().map(a -> a.answer().strip().toLowerCase(Locale.ROOT)).distinct().count();
        List<String> problems = distinct == 1 ? List.of()
                : List.of(distinct + " chunks gave different answers; the first is kept");
        return new ParsedAnswer(answered.getFirst().answer(), List.copyOf(pages), problems);
    }
}
