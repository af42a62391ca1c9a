package dev.quire.layout.plan;

import java.util.List;

/**
 * A model's reply taken apart.
 *
 * @param answer        the answer text ("Not answerable" when the model says the document does not answer)
 * @param evidencePages cited pages that exist, ascending, without repeats
 * @param problems      what was wrong with the reply's format (empty when it followed it)
 */
public record ParsedAnswer(String answer, List<Integer> evidencePages, List<String> problems) {
    public ParsedAnswer {
        evidencePages = List.copyOf(evidencePages);
        problems = List.copyOf(problems);
    }

    public boolean answerable() {
        return !answer.isBlank() && !answer.equalsIgnoreCase(PromptText.NOT_ANSWERABLE);
    }
}
