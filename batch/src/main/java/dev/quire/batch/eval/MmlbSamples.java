package dev.quire.batch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.eval.score.PyLiteral;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;

/**
 * MMLongBench-Doc's official layout: {@code samples.json}, a JSON array of records whose every field is a string
 * ({@code evidence_pages} and {@code evidence_sources} as Python-literal lists), and a folder of PDFs named by
 * {@code doc_id}. Records that cannot be used are listed with the reason, never fatal; records citing page 0 or a
 * page past the document's end are kept and counted.
 */
public final class MmlbSamples {
    public static final Set<String> FORMATS = Set.of("Int", "Float", "Str", "List", "None");

    /** One question of the benchmark; {@code index} is its 0-based position in the file (its identity in a run). */
    public record Sample(int index, String docId, String docType, String question, String answer,
                         List<Integer> evidencePages, List<String> evidenceSources, String answerFormat) {
        /** The key a predictions file joins on. */
        public String key() {
            return docId + "\u0000" + question;
        }
    }

    /** A document the samples name: its PDF, page count, or why it cannot be used. */
    public record Doc(String docId, Path pdf, int pages, String problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    /** Questions, unusable records with reasons, documents found. */
    public record Loaded(Path file, List<Sample> samples, List<String> problems, Map<String, Doc> docs) {
        public long missingDocs() {
            return docs.values().stream().filter(d -> !d.usable()).count();
        }

        /** Samples citing page 0 (pages are 1-based). */
        public long citingPageZero() {
            return samples.stream().filter(s -> s.evidencePages().stream().anyMatch(p -> p < 1)).count();
        }

        /** Samples citing a page past their document's end (documents that exist). */
        public long citingPastEnd() {
            return samples.stream().filter(s -> {
                Doc d = docs.get(s.docId());
                return d != null && d.usable() && s.evidencePages().stream().anyMatch(p -> p > d.pages());
            }).count();
        }
    }

    private MmlbSamples() {
    }

    /** Reads {@code samplesJson}; when {@code docsDir} is given, finds each document's PDF and counts its pages. */
    public static Loaded read(Path samplesJson, Path docsDir) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(samplesJson.toFile());
        } catch (IOException e) {
            throw new IOException(samplesJson + ": not readable JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IOException(samplesJson + ": expected a JSON array of samples");
        }
        List<Sample> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode r = root.get(i);
            String where = samplesJson.getFileName() + " record " + (i + 1);
            try {
                out.add(sample(i, r));
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage() + " (left out)");
            }
        }
        Map<String, Doc> docs = new LinkedHashMap<>();
        if (docsDir != null) {
            for (Sample s : out) {
                docs.computeIfAbsent(s.docId(), id -> doc(docsDir, id));
            }
        }
        return new Loaded(samplesJson, out, problems, docs);
    }

    private static Sample sample(int index, JsonNode r) {
        if (r == null || !r.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String format = text(r, "answer_format");
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("answer_format '" + format + "' is not one of " + FORMATS);
        }
        List<Integer> pages = new ArrayList<>();
        for (Object o : list(r, "evidence_pages")) {
            if (!(o instanceof BigInteger n)) {
                throw new IllegalArgumentException("evidence_pages holds " + PyLiteral.repr(o) + ", not a page number");
            }
            pages.add(n.intValue());
        }
        List<String> sources = new ArrayList<>();
        for (Object o : list(r, "evidence_sources")) {
            sources.add(PyLiteral.str(o));
        }
        return new Sample(index, text(r, "doc_id"), r.hasNonNull("doc_type") ? r.get("doc_type").asText() : "",
                text(r, "question"), text(r, "answer"), List.copyOf(pages), List.copyOf(sources), format);
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no '" + field + "'");
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    private static List<?> list(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isArray()) { // tolerate real JSON lists too
            List<Object> out = new ArrayList<>();
            v.forEach(x -> out.add(x.isIntegralNumber() ? x.bigIntegerValue() : x.asText()));
            return out;
        }
        try {
            Object parsed = PyLiteral.parse(v.asText());
            if (parsed instanceof List<?> l) {
                return l;
            }
            throw new IllegalArgumentException(field + " '" + v.asText() + "' is not a list");
        } catch (PyLiteral.Malformed e) {
            throw new IllegalArgumentException(field + " is not a Python list: " + e.getMessage());
        }
    }

    private static Doc doc(Path dir, String docId) {
        Path pdf = dir.resolve(docId);
        if (!Files.isRegularFile(pdf)) {
            return new Doc(docId, pdf, 0, "missing: " + pdf + " does not exist");
        }
        try (PDDocument d = Loader.loadPDF(pdf.toFile())) {
            return new Doc(docId, pdf, d.getNumberOfPages(), null);
        } catch (IOException | RuntimeException e) {
            return new Doc(docId, pdf, 0, "unreadable: " + pdf + ": " + e.getMessage());
        }
    }
}
