package dev.quire.web.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.layout.plan.AnswerParser;
import dev.quire.layout.plan.ParsedAnswer;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.layout.text.Grounding;
import dev.quire.storage.document.WordBox;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.web.review.Risk.Badge;
import dev.quire.web.review.Risk.Highlight;
import dev.quire.web.review.Risk.Kind;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Computes each answer's risk once, from stored rows only — the answer, the plan it was made with, the text layer
 * of the pages it cites — and stores it in {@code answer_review} beside the (initially empty) review state.
 * The extractor assesses each answer in the transaction that stores it ({@link #assessStored}), so the queue is in
 * risk order the moment an answer is visible; {@link #assessNew} is the backfill for answers stored without a risk
 * (before this was so, or by other writers), run when the queue, a job's or a document's answers are read.
 */
@ApplicationScoped
public class RiskAssessor {
    private static final Logger LOG = Logger.getLogger(RiskAssessor.class);
    private static final int BATCH = 1000;
    private static final int CACHED_PAGES = 20_000;
    private static final Pattern CHUNK = Pattern.compile("(?m)^\\[pages (\\d+)-(\\d+)] |^\\[reduce] ");

    private final EntityManager em;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Grounding grounding = new Grounding();
    private final double lowConfidence;

    public RiskAssessor(EntityManager em, ReviewConfig config) {
        this.em = em;
        this.lowConfidence = config.lowConfidenceLogprob();
    }

    /** How often the backfill looks over every answer rather than only above {@link #lookedUpTo}. */
    static final long FULL_LOOK_NANOS = 600_000_000_000L;

    /** Every answer up to this id was looked at by this process's backfill; the next look starts above it. */
    private long lookedUpTo;
    private long fullLookAt;

    /**
     * Backfill: assesses every answer that has no risk yet; returns how many were assessed. Cheap when nothing is new:
     * it looks only above the highest answer id its last look saw; over all answers at its first call in a process
     * (answers stored before risks were assessed at store time) and every ten minutes (a writer that stored answers
     * without a risk, out of id order).
     */
    public synchronized int assessNew() {
        long t0 = System.nanoTime();
        boolean full = fullLookAt == 0 || t0 - fullLookAt > FULL_LOOK_NANOS;
        if (full) {
            fullLookAt = t0;
        }
        long newest = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT COALESCE(MAX(id), 0) FROM quire.answer").getSingleResult()).longValue());
        int total = 0;
        Map<Long, List<WordBox>> words = new HashMap<>();
        Map<Long, PromptPlan> plans = new HashMap<>();
        long last = full ? 0 : lookedUpTo;
        while (true) {
            if (words.size() > CACHED_PAGES) {
                words.clear();
            }
            if (plans.size() > 1000) {
                plans.clear();
            }
            long from = last;
            List<Answer> batch = QuarkusTransaction.requiringNew().call(() -> assessBatch(from, words, plans));
            total += batch.size();
            if (!batch.isEmpty()) {
                last = batch.getLast().id;
                lookedUpTo = Math.max(lookedUpTo, last);
            }
            if (batch.size() < BATCH) {
                break;
            }
        }
        // every answer up to the newest was looked at: later answers get their risk where they are stored (or here)
        lookedUpTo = Math.max(lookedUpTo, newest);
        if (total > 0) {
            LOG.infof("assessed the risk of %d new answers in %d ms", total, (System.nanoTime() - t0) / 1_000_000);
        }
        return total;
    }

    /** Assesses up to {@link #BATCH} answers with ids above {@code after} that have no risk yet; returns them. */
    private List<Answer> assessBatch(long after, Map<Long, List<WordBox>> words, Map<Long, PromptPlan> plans) {
        List<Answer> answers = em.createQuery("select a from Answer a where a.id > ?1 and not exists "
                + "(select 1 from AnswerReview r where r.answerId = a.id) order by a.id", Answer.class)
                .setParameter(1, after).setMaxResults(BATCH).getResultList();
        if (answers.isEmpty()) {
            return answers;
        }
        insert(answers, words, plans);
        return answers;
    }

    /**
     * Assesses an answer just stored, in the transaction that stores it, so it is never visible without its risk. A
     * failure of the assessment itself is logged and leaves the answer to the backfill: it never costs the answer.
     */
    public void assessStored(Answer a) {
        Map<Long, List<WordBox>> words = new HashMap<>();
        Map<Long, PromptPlan> plans = new HashMap<>();
        pageWords(List.of(a), words);
        plans(List.of(a), plans);
        Risk r;
        try {
            r = assess(a, a.planId == null ? null : plans.get(a.planId), page -> words.get(pageKey(a.documentId, page)));
        } catch (RuntimeException e) {
            LOG.warnf(e, "the risk of answer %d (%s of document %d) cannot be assessed now; the backfill retries it",
                    a.id, a.questionKey, a.documentId);
            return;
        }
        insert(List.of(a), List.of(r));
    }

    /** Assesses and stores the risk of answers that have none. */
    private void insert(List<Answer> answers, Map<Long, List<WordBox>> words, Map<Long, PromptPlan> plans) {
        pageWords(answers, words);
        plans(answers, plans);
        List<Risk> risks = new ArrayList<>(answers.size());
        for (Answer a : answers) {
            risks.add(assess(a, a.planId == null ? null : plans.get(a.planId),
                    page -> words.get(pageKey(a.documentId, page))));
        }
        insert(answers, risks);
    }

    private void insert(List<Answer> answers, List<Risk> risks) {
        int n = answers.size();
        Long[] ids = new Long[n], jobs = new Long[n], docs = new Long[n];
        String[] keys = new String[n], statuses = new String[n], badges = new String[n], marks = new String[n];
        Integer[] scores = new Integer[n];
        for (int i = 0; i < n; i++) {
            Answer a = answers.get(i);
            Risk r = risks.get(i);
            ids[i] = a.id;
            jobs[i] = a.jobId;
            docs[i] = a.documentId;
            keys[i] = a.questionKey;
            statuses[i] = a.status.name();
            scores[i] = r.score();
            badges[i] = write(r.badges());
            marks[i] = write(r.highlights());
        }
        // one statement per batch: the rows as arrays, unnested
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO quire.answer_review (answer_id, job_id, "
                    + "document_id, question_key, status, risk, badges, highlights) SELECT a, j, d, k, s, r, b::jsonb, h::jsonb "
                    + "FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[]) "
                    + "AS t(a, j, d, k, s, r, b, h) ON CONFLICT (answer_id) DO NOTHING")) {
                ps.setArray(1, c.createArrayOf("bigint", ids));
                ps.setArray(2, c.createArrayOf("bigint", jobs));
                ps.setArray(3, c.createArrayOf("bigint", docs));
                ps.setArray(4, c.createArrayOf("text", keys));
                ps.setArray(5, c.createArrayOf("text", statuses));
                ps.setArray(6, c.createArrayOf("int", scores));
                ps.setArray(7, c.createArrayOf("text", badges));
                ps.setArray(8, c.createArrayOf("text", marks));
                ps.executeUpdate();
            }
        });
    }

    /** Adds the cited pages' words of a batch of answers that {@code out} lacks, keyed by {@link #pageKey}. */
    private void pageWords(List<Answer> answers, Map<Long, List<WordBox>> out) {
        Map<Long, Set<Integer>> cited = new HashMap<>();
        for (Answer a : answers) {
            if (a.evidencePages != null) {
                for (int p : a.evidencePages) {
                    if (!out.containsKey(pageKey(a.documentId, p))) {
                        cited.computeIfAbsent(a.documentId, d -> new TreeSet<>()).add(p);
                    }
                }
            }
        }
        for (Map.Entry<Long, Set<Integer>> e : cited.entrySet()) {
            List<Object[]> found = em.createQuery("select p.pageNo, p.words from Page p where p.documentId = ?1 "
                    + "and p.pageNo in ?2", Object[].class).setParameter(1, e.getKey())
                    .setParameter(2, List.copyOf(e.getValue())).getResultList();
            for (Object[] f : found) {
                @SuppressWarnings("unchecked")
                List<WordBox> w = (List<WordBox>) f[1];
                out.put(pageKey(e.getKey(), (Integer) f[0]), w == null ? List.of() : w);
            }
            for (int p : e.getValue()) {
                out.putIfAbsent(pageKey(e.getKey(), p), List.of());
            }
        }
    }

    private static long pageKey(long documentId, int page) {
        return documentId * 1_000_000L + page;
    }

    private void plans(List<Answer> answers, Map<Long, PromptPlan> out) {
        List<Long> ids = answers.stream().map(a -> a.planId).filter(java.util.Objects::nonNull).distinct()
                .filter(id -> !out.containsKey(id)).toList();
        if (ids.isEmpty()) {
            return;
        }
        for (PromptPlanRecord r : em.createQuery("select r from PromptPlanRecord r where r.id in ?1", PromptPlanRecord.class)
                .setParameter(1, ids).getResultList()) {
            PromptPlan p = readPlan(r);
            out.put(r.id, p);
        }
    }

    public PromptPlan readPlan(PromptPlanRecord r) {
        try {
            return json.readValue(r.plan, PromptPlan.class);
        } catch (JsonProcessingException e) {
            LOG.warnf("stored plan %d cannot be read (%s): its answers are assessed without it", r.id, e.getOriginalMessage());
            return null;
        }
    }

    /** The text-layer words of one page of the answer's document (null when the page has none stored). */
    @FunctionalInterface
    public interface PageWordsSource {
        List<WordBox> words(int page);
    }

    /** The risk of one answer given its plan (null when not stored) and its document's pages' words. */
    public Risk assess(Answer a, PromptPlan plan, PageWordsSource pages) {
        List<Badge> badges = new ArrayList<>();
        List<Highlight> highlights = new ArrayList<>();
        List<Integer> evidence = a.evidencePages == null ? List.of() : a.evidencePages;
        switch (a.status) {
            case FAILED -> badges.add(Badge.of(Kind.FAILED, "failed: " + orNone(a.reason)));
            case PARSE_ERROR -> badges.add(Badge.of(Kind.PARSE_ERROR, "parse error: " + orNone(a.reason)));
            case NOT_ANSWERABLE -> badges.add(Badge.of(Kind.NOT_ANSWERABLE, "the model said the document does not answer this"));
            case ANSWERED -> {
                if (evidence.isEmpty()) {
                    badges.add(Badge.of(Kind.NO_EVIDENCE, "the answer cites no page"));
                } else {
                    List<Grounding.PageWords> cited = new ArrayList<>();
                    Map<Integer, List<WordBox>> boxes = new LinkedHashMap<>();
                    for (int p : evidence) {
                        List<WordBox> w = pages.words(p);
                        boxes.put(p, w == null ? List.of() : w);
                        cited.add(new Grounding.PageWords(p, boxes.get(p).stream().map(WordBox::t).toList()));
                    }
                    Grounding.Result g = grounding.checkEach(values(a), cited);
                    if (g.verdict() == Grounding.Verdict.UNGROUNDED) {
                        badges.add(Badge.of(Kind.UNGROUNDED, g.reason()));
                    }
                    for (Grounding.Span s : g.spans()) {
                        List<WordBox> w = boxes.getOrDefault(s.page(), List.of());
                        for (int i = s.fromWord(); i < s.toWord() && i < w.size(); i++) {
                            WordBox b = w.get(i);
                            highlights.add(new Highlight(s.page(), b.x0(), b.y0(), b.x1(), b.y1()));
                        }
                    }
                }
            }
        }
        if (plan != null && !evidence.isEmpty()) {
            String notSeen = notSeen(plan, evidence);
            if (notSeen != null) {
                badges.add(Badge.of(Kind.EVIDENCE_NOT_SEEN, notSeen));
            }
        }
        String disagree = chunksDisagree(a.rawOutput);
        if (disagree != null) {
            badges.add(Badge.of(Kind.CHUNKS_DISAGREE, disagree));
        }
        String unsure = lowConfidence(a.meanLogprob, lowConfidence);
        if (unsure != null) {
            badges.add(Badge.of(Kind.LOW_CONFIDENCE, unsure));
        }
        if (Boolean.TRUE.equals(a.demoModel)) {
            badges.add(Badge.of(Kind.DEMO_MODEL, "answered by the built-in demo model (random weights): not meaningful"));
        }
        return new Risk(badges, highlights);
    }

    /** The values to look for: a list field's items, else the answer. */
    private List<String> values(Answer a) {
        if ("list".equals(a.valueType) && a.parsedValue != null) {
            try {
                return json.readValue(a.parsedValue, new TypeReference<List<Object>>() { }).stream()
                        .map(String::valueOf).toList();
            } catch (JsonProcessingException e) {
                // fall through to the answer text
            }
        }
        return a.answer == null ? List.of() : List.of(a.answer);
    }

    /** Why a cited page was not seen at full resolution, or null when every cited page was. */
    static String notSeen(PromptPlan plan, List<Integer> evidence) {
        Map<Integer, PromptPlan.Resolution> best = new HashMap<>();
        for (PromptPlan.Prompt p : plan.prompts()) {
            for (PromptPlan.Item i : p.items()) {
                if (i.kind() == PromptPlan.Kind.PAGE) {
                    best.merge(i.page(), i.resolution(), (x, y) -> x == PromptPlan.Resolution.FULL ? x : y);
                }
            }
        }
        Map<Integer, String> skipped = plan.skipped().stream()
                .collect(Collectors.toMap(PromptPlan.Skipped::page, PromptPlan.Skipped::reason, (x, y) -> x));
        List<String> why = new ArrayList<>();
        for (int page : evidence) {
            PromptPlan.Resolution r = best.get(page);
            if (r == null) {
                why.add("page " + page + " was not in the prompt" + (skipped.containsKey(page) ? " (" + skipped.get(page) + ")" : ""));
            } else if (r == PromptPlan.Resolution.THUMBNAIL) {
                why.add("page " + page + " was sent only as a thumbnail");
            }
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    /** For a map-reduce answer: the chunks whose own answers differ, or null when they agree (or it is not one). */
    static String chunksDisagree(String raw) {
        if (raw == null || !raw.startsWith("[pages ")) {
            return null;
        }
        Matcher m = CHUNK.matcher(raw);
        List<int[]> marks = new ArrayList<>();
        while (m.find()) {
            marks.add(new int[]{m.start(), m.end(), m.group(1) == null ? -1 : Integer.parseInt(m.group(1)),
                m.group(2) == null ? -1 : Integer.parseInt(m.group(2))});
        }
        Map<String, String> byAnswer = new LinkedHashMap<>();
        for (int i = 0; i < marks.size(); i++) {
            int[] k = marks.get(i);
            if (k[2] < 0) {
                break;
            }
            String reply = raw.substring(k[1], i + 1 < marks.size() ? marks.get(i + 1)[0] : raw.length()).strip();
            ParsedAnswer p = AnswerParser.parse(reply, k[2], k[3]);
            if (p.answerable() && !p.answer().isBlank()) {
                String norm = p.answer().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "");
                byAnswer.putIfAbsent(norm, "pages " + k[2] + "-" + k[3] + ": '" + p.answer() + "'");
            }
        }
        return byAnswer.size() < 2 ? null : "the chunks answered differently: " + String.join("; ", byAnswer.values());
    }

    /** Why an answer's mean token log-probability is low, or null when it is not (or the engine gave none). */
    static String lowConfidence(Float meanLogprob, double threshold) {
        if (meanLogprob == null || meanLogprob.isNaN() || meanLogprob >= threshold) {
            return null;
        }
        return String.format(Locale.ROOT, "mean token log-prob %.2f < threshold %.2f", meanLogprob, threshold);
    }

    private static String orNone(String s) {
        return s == null || s.isBlank() ? "(no reason stored)" : s;
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
