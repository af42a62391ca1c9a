package dev.quire.batch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The common DocVQA / InfographicVQA layout: a questions JSON ({@code {"data": [...]}} as released, or a bare
 * array) whose records have {@code questionId}, {@code question}, {@code image} (or {@code image_local_name}) and
 * an {@code answers} list, plus an images folder. An image may be a PDF page: {@code report.pdf#3} (1-based).
 */
public final class DocVqaQuestions {
    public record Question(String questionId, String question, String image, Path file, int page, List<String> answers) {
    }

    public record Loaded(Path file, List<Question> questions, List<String> problems) {
        public long missingImages() {
            return questions.stream().filter(q -> !Files.isRegularFile(q.file())).count();
        }
    }

    private DocVqaQuestions() {
    }

    public static Loaded read(Path questionsJson, Path imagesDir) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(questionsJson.toFile());
        } catch (IOException e) {
            throw new IOException(questionsJson + ": not readable JSON: " + e.getMessage(), e);
        }
        JsonNode data = root != null && root.isObject() ? root.get("data") : root;
        if (data == null || !data.isArray()) {
            throw new IOException(questionsJson + ": expected {\"data\": [...]} or a JSON array of questions");
        }
        List<Question> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            JsonNode r = data.get(i);
            String where = questionsJson.getFileName() + " record " + (i + 1);
            JsonNode id = r.get("questionId");
            JsonNode q = r.get("question");
            JsonNode img = r.hasNonNull("image") ? r.get("image") : r.get("image_local_name");
            JsonNode ans = r.get("answers");
            if (id == null || q == null || img == null) {
                problems.add(where + ": needs questionId, question and image (left out)");
                continue;
            }
            List<String> answers = new ArrayList<>();
            if (ans != null && ans.isArray()) {
                ans.forEach(a -> answers.add(a.asText()));
            } else if (ans != null) {
                problems.add(where + ": answers is not a list (left out)");
                continue;
            }
            String image = img.asText();
            int page = 1;
            String name = image;
            int hash = image.lastIndexOf('#');
            if (hash > 0 && image.substring(hash + 1).matches("[0-9]+")) {
                name = image.substring(0, hash);
                page = Integer.parseInt(image.substring(hash + 1));
            }
            Path file = imagesDir.resolve(name);
            if (!Files.exists(file) && Files.exists(imagesDir.resolve(Path.of(name).getFileName()))) {
                file = imagesDir.resolve(Path.of(name).getFileName()); // "documents/x.png" with --images documents/
            }
            out.add(new Question(id.asText(), q.asText(), image, file, page, List.copyOf(answers)));
        }
        return new Loaded(questionsJson, out, problems);
    }
}
