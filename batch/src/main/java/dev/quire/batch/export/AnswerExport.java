package dev.quire.batch.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.quire.batch.extract.ExtractService;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.ExtractJob;
import dev.quire.storage.review.AnswerReview;
import dev.quire.storage.review.ReviewState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Collectors;

/** One record per (document, question) of a job, as JSON Lines or CSV, for downstream systems. */
@ApplicationScoped
public class AnswerExport {
    static final java.util.Set<String> REVIEW_COLUMNS = java.util.Set.of("reviewState", "finalValue", "finalParsedValue",
            "reviewer", "reviewedAt");
    private final EntityManager em;

    public AnswerExport(EntityManager em) {
        this.em = em;
    }

    /** The exported record. {@code parsedValue} is JSON (a string, number, boolean, date string or array). */
    @JsonPropertyOrder({"jobId", "documentId", "fileName", "questionKey", "question", "valueType", "status", "reason",
        "answer", "parsedValue", "evidencePages", "rawOutput", "engine", "model", "modelCheckpoint", "device", "precision",
        "demoModel", "notice", "strategy", "planId", "promptTokens", "completionTokens", "meanLogprob", "calls", "attempts", "planMs", "renderMs",
        "visionMs", "prefillMs", "decodeMs", "totalMs", "worker", "createdAt", "reviewState", "finalValue",
        "finalParsedValue", "reviewer", "reviewedAt"})
    public record Row(long jobId, long documentId, String fileName, String questionKey, String question,
                      String valueType, String status, String reason, String answer, @JsonRawValue String parsedValue,
                      List<Integer> evidencePages, String rawOutput, String engine, String model, String modelCheckpoint,
                      String device, String precision, Boolean demoModel, String notice, String strategy, Long planId, Integer promptTokens,
                      Integer completionTokens, Float meanLogprob, Integer calls, Integer attempts, Float planMs, Float renderMs,
                      Float visionMs, Float prefillMs, Float decodeMs, Float totalMs, String worker,
                      OffsetDateTime createdAt,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String reviewState,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String finalValue,
                      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonRawValue String finalParsedValue,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String reviewer,
                      @JsonInclude(JsonInclude.Include.NON_NULL) OffsetDateTime reviewedAt) {
    }

    public List<Row> rows(long jobId) {
        return rows(jobId, false);
    }

    /**
     * The job's records; with {@code reviewed}, each also carries the review: its state (UNREVIEWED until someone
     * decides), the final value (the correction where there is one, the model's answer when accepted or not yet
     * reviewed, none when rejected), who decided and when — beside the model's own answer, which is never changed.
     */
    public List<Row> rows(long jobId, boolean reviewed) {
        return QuarkusTransaction.requiringNew().call(() -> {
            if (ExtractJob.findById(jobId) == null) {
                throw new IllegalArgumentException("no extraction job " + jobId);
            }
            List<Object[]> found = em.createQuery("select a, d.fileName, r from Answer a join Document d on d.id = a.documentId "
                    + "left join AnswerReview r on r.answerId = a.id where a.jobId = ?1 order by a.documentId, a.id",
                    Object[].class).setParameter(1, jobId).getResultList();
            return found.stream().map(r -> row((Answer) r[0], (String) r[1], reviewed ? review((Answer) r[0], (AnswerReview) r[2]) : null))
                    .toList();
        });
    }

    /** The review part of a record. */
    record Reviewed(String state, String finalValue, String finalParsed, String reviewer, OffsetDateTime at) {
    }

    private static Reviewed review(Answer a, AnswerReview r) {
        if (r == null || r.state == ReviewState.UNREVIEWED) {
            return new Reviewed(ReviewState.UNREVIEWED.name(), a.answer, a.parsedValue, null, null);
        }
        return new Reviewed(r.state.name(), r.finalValue, r.finalParsed, r.reviewer, r.reviewedAt);
    }

    private static Row row(Answer a, String fileName, Reviewed rv) {
        return new Row(a.jobId, a.documentId, fileName, a.questionKey, a.question, a.valueType, a.status.name(), a.reason,
                a.answer, a.parsedValue, a.evidencePages, a.rawOutput, a.engine, a.model, a.modelCheckpoint, a.device,
                a.precision, a.demoModel, Boolean.TRUE.equals(a.demoModel) ? ExtractService.DEMO_NOTICE : null, a.strategy, a.planId, a.promptTokens, a.completionTokens, a.meanLogprob, a.calls, a.attempts, a.planMs,
                a.renderMs, a.visionMs, a.prefillMs, a.decodeMs, a.totalMs, a.worker, a.createdAt,
                rv == null ? null : rv.state(), rv == null ? null : rv.finalValue(), rv == null ? null : rv.finalParsed(),
                rv == null ? null : rv.reviewer(), rv == null ? null : rv.at());
    }

    public long jsonl(long jobId, PrintStream out) throws JsonProcessingException {
        return jsonl(jobId, false, out);
    }

    public long jsonl(long jobId, boolean reviewed, PrintStream out) throws JsonProcessingException {
        ObjectWriter w = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writer();
        List<Row> rows = rows(jobId, reviewed);
        for (Row r : rows) {
            out.println(w.writeValueAsString(r));
        }
        return rows.size();
    }

    /** CSV with a header; evidence pages joined with ';', the parsed value as JSON text. */
    public long csv(long jobId, PrintStream out) throws JsonProcessingException {
        return csv(jobId, false, out);
    }

    /** CSV; with {@code reviewed} the review columns come last (reviewState, finalValue, finalParsedValue, reviewer, reviewedAt). */
    public long csv(long jobId, boolean reviewed, PrintStream out) throws JsonProcessingException {
        CsvMapper csv = new CsvMapper();
        csv.registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        CsvSchema schema = csv.schemaFor(CsvRow.class).withHeader();
        if (!reviewed) {
            CsvSchema.Builder b = CsvSchema.builder();
            for (CsvSchema.Column c : schema) {
                if (!REVIEW_COLUMNS.contains(c.getName())) {
                    b.addColumn(c.getName(), c.getType());
                }
            }
            schema = b.build().withHeader();
        }
        List<Row> rows = rows(jobId, reviewed);
        out.print(csv.writer(schema).with(com.fasterxml.jackson.core.JsonGenerator.Feature.IGNORE_UNKNOWN).writeValueAsString(rows.stream().map(CsvRow::of).toList()));
        return rows.size();
    }

    @JsonPropertyOrder({"jobId", "documentId", "fileName", "questionKey", "question", "valueType", "status", "reason",
        "answer", "parsedValue", "evidencePages", "rawOutput", "engine", "model", "modelCheckpoint", "device", "precision",
        "demoModel", "notice", "strategy", "planId", "promptTokens", "completionTokens", "meanLogprob", "calls", "attempts", "planMs", "renderMs",
        "visionMs", "prefillMs", "decodeMs", "totalMs", "worker", "createdAt", "reviewState", "finalValue",
        "finalParsedValue", "reviewer", "reviewedAt"})
    record CsvRow(long jobId, long documentId, String fileName, String questionKey, String question, String valueType,
                  String status, String reason, String answer, String parsedValue, String evidencePages,
                  String rawOutput, String engine, String model, String modelCheckpoint, String device,
                  String precision, Boolean demoModel, String notice, String strategy, Long planId, Integer promptTokens, Integer completionTokens,
                  Float meanLogprob, Integer calls, Integer attempts, Float planMs, Float renderMs, Float visionMs, Float prefillMs,
                  Float decodeMs, Float totalMs, String worker, String createdAt, String reviewState, String finalValue,
                  String finalParsedValue, String reviewer, String reviewedAt) {
        static CsvRow of(Row r) {
            return new CsvRow(r.jobId(), r.documentId(), r.fileName(), r.questionKey(), r.question(), r.valueType(),
                    r.status(), r.reason(), r.answer(), r.parsedValue(), r.evidencePages() == null ? ""
                    : r.evidencePages().stream().map(String::valueOf).collect(Collectors.joining(";")), r.rawOutput(),
                    r.engine(), r.model(), r.modelCheckpoint(), r.device(), r.precision(), r.demoModel(), r.notice(), r.strategy(), r.planId(),
                    r.promptTokens(), r.completionTokens(), r.meanLogprob(), r.calls(), r.attempts(), r.planMs(), r.renderMs(),
                    r.visionMs(), r.prefillMs(), r.decodeMs(), r.totalMs(), r.worker(),
                    r.createdAt() == null ? null : r.createdAt().toString(), r.reviewState(), r.finalValue(),
                    r.finalParsedValue(), r.reviewer(), r.reviewedAt() == null ? null : r.reviewedAt().toString());
        }
    }
}
