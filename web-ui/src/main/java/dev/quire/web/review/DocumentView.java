package dev.quire.web.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.layout.render.InkBox;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.PageStatus;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.storage.review.AnswerReview;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the document view shows: the pages as the selected answer's prompt sent them (crop or thumbnail, at the
 * size sent; pages it left out as the stored page with the reason), and the answers panel.
 */
@ApplicationScoped
public class DocumentView {
    /** Answers listed beside the pages; the queue filtered by document lists them all. */
    public static final int PANEL_ANSWERS = 100;

    private final EntityManager em;
    private final RiskAssessor risk;
    private final ReviewService reviews;
    private final ObjectMapper json = new ObjectMapper();

    public DocumentView(EntityManager em, RiskAssessor risk, ReviewService reviews) {
        this.em = em;
        this.risk = risk;
        this.reviews = reviews;
    }

    /** A highlighted word, in percent of the shown image (so it scales with zoom). */
    public record Box(double left, double top, double width, double height) {
    }

    /**
     * One page as shown.
     *
     * @param sent      FULL, THUMBNAIL, or NOT_SENT (the stored page is shown)
     * @param note      what was sent (crop and size) or why the page was left out
     * @param imageUrl  the image shown: the one the prompt sent when it was sent
     * @param fullUrl   the full stored page
     */
    public record PageView(long id, int pageNo, String status, String error, int width, int height, String sent,
                           String note, String imageUrl, String fullUrl, List<Box> highlights, boolean evidence,
                           String textSource) {
        /** Where the page's words came from, for the caption: the PDF's own text layer or OCR. */
        public String textFrom() {
            return "OCR".equals(textSource) ? "text from OCR" : "TEXT_LAYER".equals(textSource) ? "text from the PDF" : "";
        }
    }

    public record AnswerView(long id, long jobId, String questionKey, String question, String valueType, String answer,
                             String parsedValue, String status, String reason, List<Integer> evidencePages,
                             String model, boolean demoModel, String strategy, Long planId, int risk,
                             List<Risk.Badge> badges, ReviewService.State review, Float meanLogprob) {
    }

    /** The plan as a reader wants it: which pages at full resolution, which as thumbnails, which skipped and why. */
    public record PlanSummary(long id, String strategy, int calls, int contextTokens, int peakTokens, String fullPages,
                              String thumbnailPages, List<PromptPlan.Skipped> skipped, String ranking) {
    }

    /** The text layer of a page the selected answer cites (shown as text, escaped). */
    public record EvidenceText(int page, String text) {
    }

    public record View(long id, String fileName, String status, String reason, int pageCount, List<PageView> pages,
                       List<AnswerView> answers, boolean moreAnswers, AnswerView selected, PlanSummary plan,
                       List<EvidenceText> evidenceText, boolean converted) {
    }

    public Optional<View> view(long documentId, Long answerId, Long jobId) {
        risk.assessNew();
        return QuarkusTransaction.requiringNew().call(() -> {
            Document d = Document.findById(documentId);
            if (d == null) {
                return Optional.<View>empty();
            }
            Long job = jobId;
            if (job == null && answerId != null) {
                Answer chosen = Answer.findById(answerId);
                job = chosen != null && chosen.documentId == documentId ? chosen.jobId : null;
            }
            var query = em.createQuery("select a from Answer a where a.documentId = ?1"
                    + (job == null ? "" : " and a.jobId = ?2") + " order by a.id", Answer.class)
                    .setParameter(1, documentId);
            if (job != null) {
                query.setParameter(2, job);
            }
            List<Answer> answers = new ArrayList<>(query.setMaxResults(PANEL_ANSWERS + 1).getResultList());
            boolean more = answers.size() > PANEL_ANSWERS;
            if (more) {
                answers.removeLast();
            }
            if (answerId != null && answers.stream().noneMatch(a -> a.id.equals(answerId))) {
                Answer chosen = Answer.findById(answerId);
                if (chosen != null && chosen.documentId == documentId) {
                    answers.addFirst(chosen);
                }
            }
            List<Long> ids = answers.stream().map(a -> a.id).toList();
            Map<Long, AnswerReview> rev = new HashMap<>();
            Map<Long, List<ReviewService.HistoryEntry>> history = new HashMap<>();
            if (!ids.isEmpty()) {
                for (AnswerReview r : em.createQuery("select r from AnswerReview r where r.answerId in ?1", AnswerReview.class)
                        .setParameter(1, ids).getResultList()) {
                    rev.put(r.answerId, r);
                }
                for (dev.quire.storage.review.Review r : em.createQuery("select r from Review r where r.answerId in ?1 "
                        + "order by r.answerId, r.version", dev.quire.storage.review.Review.class).setParameter(1, ids).getResultList()) {
                    history.computeIfAbsent(r.answerId, k -> new ArrayList<>()).add(ReviewService.HistoryEntry.of(r));
                }
            }
            List<AnswerView> views = new ArrayList<>();
            for (Answer a : answers) {
                AnswerReview r = rev.get(a.id);
                ReviewService.State state = r == null ? null : new ReviewService.State(r.answerId, r.state.name(),
                        r.finalValue, r.finalParsed, r.reviewer, r.reviewedAt, r.version, history.getOrDefault(a.id, List.of()));
                views.add(new AnswerView(a.id, a.jobId, a.questionKey, a.question, a.valueType, a.answer, a.parsedValue,
                        a.status.name(), a.reason, a.evidencePages == null ? List.of() : a.evidencePages, a.model,
                        Boolean.TRUE.equals(a.demoModel), a.strategy, a.planId, r == null ? 0 : r.risk,
                        r == null ? List.of() : badges(r.badges), state, a.meanLogprob));
            }
            AnswerView selected = views.stream().filter(v -> answerId != null && v.id() == answerId).findFirst()
                    .orElse(answerId == null && !views.isEmpty() ? views.getFirst() : null);
            PromptPlan plan = null;
            PlanSummary summary = null;
            if (selected != null && selected.planId() != null) {
                PromptPlanRecord rec = PromptPlanRecord.findById(selected.planId());
                plan = rec == null ? null : risk.readPlan(rec);
                if (plan != null) {
                    summary = new PlanSummary(rec.id, rec.strategy, rec.calls, rec.contextTokens, rec.peakTokens,
                            ranges(plan, PromptPlan.Resolution.FULL), ranges(plan, PromptPlan.Resolution.THUMBNAIL),
                            plan.skipped(), plan.ranking());
                }
            }
            List<Risk.Highlight> marks = selected == null ? List.of() : highlights(rev.get(selected.id()));
            List<Integer> evidence = selected == null ? List.of() : selected.evidencePages();
            List<Object[]> pages = em.createQuery("select p.id, p.pageNo, p.status, p.error, p.widthPx, p.heightPx, p.textSource "
                    + "from Page p where p.documentId = ?1 order by p.pageNo", Object[].class)
                    .setParameter(1, documentId).getResultList();
            List<PageView> pv = new ArrayList<>();
            for (Object[] p : pages) {
                pv.add(page(p, plan, selected == null ? null : selected.planId(), marks, evidence));
            }
            List<EvidenceText> texts = evidence.isEmpty() ? List.of() : em.createQuery("select p.pageNo, p.text from Page p "
                    + "where p.documentId = ?1 and p.pageNo in ?2 order by p.pageNo", Object[].class)
                    .setParameter(1, documentId).setParameter(2, evidence).getResultList().stream()
                    .map(r -> new EvidenceText((Integer) r[0], r[1] == null ? "" : (String) r[1])).toList();
            return Optional.of(new View(d.id, d.fileName, d.status.name(), d.reason, pv.size(), pv, views, more,
                    selected, summary, texts, d.convertedBlob != null));
        });
    }

    private PageView page(Object[] p, PromptPlan plan, Long planId, List<Risk.Highlight> marks, List<Integer> evidence) {
        long id = (Long) p[0];
        int no = (Integer) p[1];
        PageStatus status = (PageStatus) p[2];
        int w = p[4] == null ? 0 : (Integer) p[4];
        int h = p[5] == null ? 0 : (Integer) p[5];
        String full = status == PageStatus.OK ? "/api/pages/" + id + "/image" : null;
        PromptPlan.Item item = plan == null ? null : sentItem(plan, no);
        boolean isEvidence = evidence.contains(no);
        if (item == null) {
            String note = plan == null ? "full stored page"
                    : plan.skipped().stream().filter(s -> s.page() == no).map(s -> "not sent: " + s.reason()).findFirst()
                    .orElse("not in this answer's prompt");
            return new PageView(id, no, status.name(), (String) p[3], w, h, "NOT_SENT", note, full, full,
                    boxes(marks, no, new InkBox(0, 0, Math.max(1, w), Math.max(1, h)), w, h), isEvidence, textSource(p));
        }
        InkBox c = item.crop();
        String note = (item.resolution() == PromptPlan.Resolution.FULL ? "sent at full resolution" : "sent as a thumbnail")
                + ": crop " + c.width() + "×" + c.height() + " at (" + c.x() + "," + c.y() + ") → "
                + item.width() + "×" + item.height() + " px";
        String url = "/api/plans/" + planId + "/pages/" + no + "/image?resolution=" + item.resolution();
        return new PageView(id, no, status.name(), (String) p[3], item.width(), item.height(), item.resolution().name(),
                note, url, full, boxes(marks, no, c, item.imageWidth(), item.imageHeight(), item.width(), item.height()),
                isEvidence, textSource(p));
    }

    private static String textSource(Object[] p) {
        return p[6] == null ? null : p[6].toString();
    }

    /** The page's image as sent: full resolution when it went in at full resolution anywhere, else its thumbnail. */
    public static PromptPlan.Item sentItem(PromptPlan plan, int page) {
        PromptPlan.Item best = null;
        for (PromptPlan.Prompt p : plan.prompts()) {
            for (PromptPlan.Item i : p.items()) {
                if (i.kind() == PromptPlan.Kind.PAGE && i.page() == page
                        && (best == null || i.resolution() == PromptPlan.Resolution.FULL)) {
                    best = i;
                }
            }
        }
        return best;
    }

    public static PromptPlan.Item sentItem(PromptPlan plan, int page, PromptPlan.Resolution resolution) {
        for (PromptPlan.Prompt p : plan.prompts()) {
            for (PromptPlan.Item i : p.items()) {
                if (i.kind() == PromptPlan.Kind.PAGE && i.page() == page && i.resolution() == resolution) {
                    return i;
                }
            }
        }
        return null;
    }

    private static List<Box> boxes(List<Risk.Highlight> marks, int page, InkBox crop, int w, int h) {
        return boxes(marks, page, crop, w, h, w, h);
    }

    /** Word boxes (stored-page pixels) mapped into the shown image: crop, scale to (sw, sh), on a (W, H) canvas. */
    private static List<Box> boxes(List<Risk.Highlight> marks, int page, InkBox crop, int sw, int sh, int width, int height) {
        List<Box> out = new ArrayList<>();
        double sx = sw / (double) crop.width();
        double sy = sh / (double) crop.height();
        for (Risk.Highlight m : marks) {
            if (m.page() != page) {
                continue;
            }
            double x0 = (m.x0() - crop.x()) * sx, y0 = (m.y0() - crop.y()) * sy;
            double x1 = (m.x1() - crop.x()) * sx, y1 = (m.y1() - crop.y()) * sy;
            out.add(new Box(100 * x0 / width, 100 * y0 / height, 100 * (x1 - x0) / width, 100 * (y1 - y0) / height));
        }
        return out;
    }

    private static String ranges(PromptPlan plan, PromptPlan.Resolution r) {
        List<Integer> pages = plan.prompts().stream().flatMap(p -> p.items().stream())
                .filter(i -> i.kind() == PromptPlan.Kind.PAGE && i.resolution() == r).map(PromptPlan.Item::page)
                .distinct().sorted().toList();
        if (pages.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        int start = pages.getFirst(), prev = start;
        for (int i = 1; i <= pages.size(); i++) {
            Integer cur = i < pages.size() ? pages.get(i) : null;
            if (cur != null && cur == prev + 1) {
                prev = cur;
                continue;
            }
            sb.append(sb.isEmpty() ? "" : ", ").append(start == prev ? String.valueOf(start) : start + "–" + prev);
            if (cur != null) {
                start = prev = cur;
            }
        }
        return sb.toString();
    }

    private List<Risk.Badge> badges(String s) {
        try {
            return json.readValue(s, new TypeReference<List<Risk.Badge>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored badges cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    private List<Risk.Highlight> highlights(AnswerReview r) {
        if (r == null) {
            return List.of();
        }
        try {
            return json.readValue(r.highlights, new TypeReference<List<Risk.Highlight>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored highlights cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
