package dev.quire.layout.plan;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The fixed wording of Quire's prompts, in one place: the planner counts these texts and the assembler sends
 * the same strings, so counts and prompts cannot drift apart.
 */
final class PromptText {
    static final String NOT_ANSWERABLE = "Not answerable";

    private PromptText() {
    }

    static String label(int page, PromptPlan.Resolution r) {
        return r == PromptPlan.Resolution.THUMBNAIL ? "Page " + page + " (thumbnail):" : "Page " + page + ":";
    }

    static String demoLabel(int index) {
        return "Example " + (index + 1) + ":";
    }

    static String demoAnswer(Demonstration d) {
        return "Question: " + d.question() + "\nAnswer: " + d.answer() + "\nEvidence pages: " + pages(d.evidencePages()) + "\n";
    }

    static String demosIntro(int n) {
        return n == 1 ? "First, a worked example.\n" : "First, " + n + " worked examples.\n";
    }

    static String documentIntro(String document, int pages, int first, int last, boolean thumbnails) {
        String scope = first == 1 && last == pages ? "The document \"" + document + "\" has " + pages + " pages."
                : "Pages " + first + " to " + last + " of the document \"" + document + "\" (" + pages + " pages).";
        String how = thumbnails
                ? " Every page image follows its label; pages marked (thumbnail) are shown reduced, the others at full resolution."
                : " Every page image follows its label.";
        return scope + how + "\n";
    }

    static String instructions(String question) {
        return "\nQuestion: " + question.strip() + "\n"
                + "Answer from the pages above. Reply in exactly two lines:\n"
                + "Answer: <the answer, as short as possible>\n"
                + "Evidence pages: <the page numbers that support it, separated by commas>\n"
                + "If the document does not contain the answer, reply \"Answer: " + NOT_ANSWERABLE
                + "\" and \"Evidence pages: none\".";
    }

    static String reduceIntro(String document, int pages, int parts) {
        return "The document \"" + document + "\" (" + pages + " pages) was read in " + parts
                + " parts, and the question was asked of each part. The answers per part:\n";
    }

    static String chunkAnswer(int first, int last, String answer, List<Integer> evidence) {
        return "Pages " + first + "-" + last + ": Answer: " + answer + "; Evidence pages: " + pages(evidence) + "\n";
    }

    static String reduceInstructions(String question) {
        return "\nQuestion: " + question.strip() + "\n"
                + "Combine the answers of the parts into one answer to the question. Ignore parts that say \""
                + NOT_ANSWERABLE + "\" unless all do. Reply in exactly two lines:\n"
                + "Answer: <the answer, as short as possible>\n"
                + "Evidence pages: <the page numbers that support it, separated by commas>";
    }

    static String pages(List<Integer> pages) {
        return pages.isEmpty() ? "none" : pages.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
