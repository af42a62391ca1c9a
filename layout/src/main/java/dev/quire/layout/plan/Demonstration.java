package dev.quire.layout.plan;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A worked example shown to the model before the document: an image, a question about it and its answer.
 *
 * @param evidencePages the pages (of the example) the answer cites; empty when none
 */
public record Demonstration(BufferedImage image, String question, String answer, List<Integer> evidencePages) {
    public Demonstration {
        if (image == null) {
            throw new IllegalArgumentException("a demonstration needs an image");
        }
        if (question == null || question.isBlank() || answer == null) {
            throw new IllegalArgumentException("a demonstration needs a question and an answer");
        }
        evidencePages = List.copyOf(evidencePages == null ? List.of() : evidencePages);
    }
}
