package dev.quire.batch.questions;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.plan.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What an extraction job asks of every document: free questions, and/or an extraction template of named, typed
 * fields, plus optional few-shot demonstrations (image, question, answer). Read from YAML or JSON:
 * <pre>
 * name: invoices
 * system: You read invoices.          # optional system turn (default: the model's, "You are a helpful assistant")
 * questions:
 *   - id: total                       # optional (q1, q2, … by default)
 *     question: What is the total amount due?
 *   - Who sent it?                    # a plain string is a question too
 * fields:
 *   - name: invoice_date
 *     type: date                      # string | int | float | date | list | boolean
 *     description: The date the invoice was issued
 * plan:                              # optional: overrides quire.plan.* for this job
 *   context_tokens: 8192
 *   answer_tokens: 64
 *   render_dpi: 144                   # render PDF pages at this DPI for this job (default: the native images)
 *   max_pages: 120                    # use only the first N pages (the rest are skipped, with the reason)
 * demonstrations:
 *   - image: examples/invoice-1.png   # relative to this file
 *     question: What is the total?
 *     answer: "1,234.00"
 *     evidence_pages: [1]
 * </pre>
 */
public record QuestionSet(String name, List<Question> questions, List<Field> fields, List<Demo> demonstrations,
                          Planning plan, String system) {

    public record Question(String id, String question) {
        /** A question given as a plain string ({@code questions: ["What is the title?"]}); its id is generated. */
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        static Question of(String question) {
            return new Question(null, question);
        }

        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES)
        public Question {
        }
    }

    public record Field(String name, String type, String description) {
    }

    /** A demonstration; {@code image} is a path when read from a file, {@code blob:SHA256} once submitted. */
    public record Demo(String image, String question, String answer, List<Integer> evidencePages) {
    }

    /**
     * Planning parameters the job uses instead of {@code quire.plan.*} (each optional), so every worker plans the
     * job's prompts alike.
     */
    public record Planning(String strategy, Integer contextTokens, Integer answerTokens, Integer thumbnailTokens,
                           Double renderDpi, Integer maxPages) {
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES)
        public Planning {
        }

        public Planning(String strategy, Integer contextTokens, Integer answerTokens, Integer thumbnailTokens) {
            this(strategy, contextTokens, answerTokens, thumbnailTokens, null, null);
        }

        public PlanSettings over(PlanSettings s) {
            PlanSettings out = s;
            if (strategy != null) {
                out = out.withStrategy(Strategy.parse(strategy));
            }
            if (contextTokens != null) {
                out = out.withContext(contextTokens);
            }
            if (answerTokens != null) {
                out = out.withAnswerTokens(answerTokens);
            }
            if (thumbnailTokens != null) {
                out = out.withThumbnails(thumbnailTokens, Math.min(out.minThumbnailTokens(), thumbnailTokens));
            }
            return out;
        }
    }

    /** The planner settings of this set: {@code base} with the set's plan overrides and system text applied. */
    public PlanSettings settings(PlanSettings base) {
        PlanSettings out = plan == null ? base : plan.over(base);
        return system == null ? out : out.withSystem(system);
    }

    /** Which pages the job shows and at what resolution ({@code plan.render_dpi}, {@code plan.max_pages}). */
    public dev.quire.batch.plan.PageSelection pageSelection() {
        return plan == null ? dev.quire.batch.plan.PageSelection.ALL_NATIVE
                : new dev.quire.batch.plan.PageSelection(plan.renderDpi(), plan.maxPages());
    }

    /** One thing asked of a document: the answer's key, the question sent, and the field type (null for questions). */
    public record Ask(String key, String question, FieldType type) {
    }

    public QuestionSet {
        questions = questions == null ? List.of() : List.copyOf(questions);
        fields = fields == null ? List.of() : List.copyOf(fields);
        demonstrations = demonstrations == null ? List.of() : List.copyOf(demonstrations);
    }

    /** The mapper for question-set files and their stored JSON: snake_case keys, unknown keys are errors. */
    public static ObjectMapper mapper(boolean yaml) {
        return (yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** Reads and validates a question set file; errors name the file and the offending key. */
    public static QuestionSet read(Path file) {
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml");
        if (!yaml && !lower.endsWith(".json")) {
            throw new IllegalArgumentException(file + ": a question set is a .yaml, .yml or .json file");
        }
        QuestionSet qs;
        try {
            qs = mapper(yaml).readValue(Files.readString(file), QuestionSet.class);
        } catch (JsonMappingException e) {
            String where = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new IllegalArgumentException(file + ": " + (where.isEmpty() ? "" : "at " + where + ": ")
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
        }
        if (qs == null) {
            throw new IllegalArgumentException(file + ": is empty");
        }
        String name = qs.name() == null || qs.name().isBlank()
                ? file.getFileName().toString().replaceFirst("\\.[^.]+$", "") : qs.name();
        QuestionSet named = new QuestionSet(name, qs.questions(), qs.fields(), qs.demonstrations(), qs.plan(),
                qs.system());
        named.validate(file.toString());
        Path base = file.toAbsolutePath().getParent();
        return named.withImages(d -> base.resolve(d.image()).normalize().toString());
    }

    /** Checks the set; {@code source} names it in errors. */
    public void validate(String source) {
        if (questions.isEmpty() && fields.isEmpty()) {
            throw new IllegalArgumentException(source + ": no questions and no fields: nothing to ask");
        }
        for (int i = 0; i < questions.size(); i++) {
            if (questions.get(i) == null || questions.get(i).question() == null || questions.get(i).question().isBlank()) {
                throw new IllegalArgumentException(source + ": questions[" + i + "].question is missing");
            }
        }
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (f == null || f.name() == null || !f.name().matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException(source + ": fields[" + i + "].name must be an identifier (letters, digits, _)");
            }
            try {
                FieldType.parse(f.type() == null ? "string" : f.type());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": fields[" + i + "].type: " + e.getMessage(), e);
            }
        }
        if (system != null && system.isBlank()) {
            throw new IllegalArgumentException(source + ": system is empty (leave it out for the model's default system turn)");
        }
        if (plan != null) {
            try {
                plan.over(dev.quire.layout.plan.PlanSettings.defaults());
                pageSelection();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": plan: " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < demonstrations.size(); i++) {
            Demo d = demonstrations.get(i);
            if (d == null || d.image() == null || d.question() == null || d.answer() == null) {
                throw new IllegalArgumentException(source + ": demonstrations[" + i + "] needs image, question and answer");
            }
        }
        Set<String> keys = new HashSet<>();
        for (Ask a : asks()) {
            if (!keys.add(a.key())) {
                throw new IllegalArgumentException(source + ": two questions or fields have the key '" + a.key() + "'");
            }
        }
    }

    /** Every question and field as it is asked, in order: questions first, then fields. */
    @JsonIgnore
    public List<Ask> asks() {
        List<Ask> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            Question q = questions.get(i);
            out.add(new Ask(q.id() == null || q.id().isBlank() ? "q" + (i + 1) : q.id(), q.question().strip(), null));
        }
        for (Field f : fields) {
            FieldType t = FieldType.parse(f.type() == null ? "string" : f.type());
            String what = f.name().replace('_', ' ');
            String q = "What is the " + what + "?" + (f.description() == null || f.description().isBlank() ? ""
                    : " (" + f.description().strip() + ")") + (t.hint().isEmpty() ? "" : " " + t.hint());
            out.add(new Ask(f.name(), q, t));
        }
        return out;
    }

    /** The same set with each demonstration's image reference replaced. */
    public QuestionSet withImages(Function<Demo, String> image) {
        return new QuestionSet(name, questions, fields, demonstrations.stream()
                .map(d -> new Demo(image.apply(d), d.question(), d.answer(), d.evidencePages())).toList(), plan, system);
    }

    /** A set of one question (for {@code quire ask}). */
    public static QuestionSet single(String question) {
        return new QuestionSet("ask", List.of(new Question("q1", question)), List.of(), List.of(), null, null);
    }
}
