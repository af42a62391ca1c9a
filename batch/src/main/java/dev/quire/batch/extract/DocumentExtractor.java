package dev.quire.batch.extract;

import dev.quire.batch.engine.Engines;
import dev.quire.batch.questions.FieldType;
import dev.quire.batch.questions.QuestionSet;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.QuireConfig;
import dev.quire.batch.plan.PlanService;
import dev.quire.layout.plan.AnswerParser;
import dev.quire.layout.plan.Demonstration;
import dev.quire.layout.plan.ParsedAnswer;
import dev.quire.layout.plan.PlanException;
import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.plan.PromptAssembler;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import dev.quire.storage.extract.ExtractJob;
import dev.quire.vlm.engine.EngineClosedException;
import dev.quire.vlm.engine.GenerateRequest;
import dev.quire.vlm.engine.GenerateResult;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.engine.ModelIdentity;
import dev.quire.vlm.engine.PromptPart;
import dev.quire.vlm.engine.VlmEngine;
import dev.quire.web.review.RiskAssessor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Answers every question of a job about one claimed document: plan (stored), assemble the prompt from the stored
 * page images, ask the engine (map calls, then a reduce call or the rule), parse the reply and its evidence,
 * parse typed fields, and write one answer row per question in its own transaction, with its review risk (so the
 * review queue orders it right away) and the mean token log-probability of its reply. Questions already answered
 * (by an earlier, interrupted attempt) are skipped, so a redone document never duplicates an answer. Every
 * failure is an answer row with the reason; engine failures are retried up to {@code max-attempts}.
 */
@ApplicationScoped
public class DocumentExtractor {
    private static final Logger LOG = Logger.getLogger(DocumentExtractor.class);

    private final PlanService plans;
    private final Engines engines;
    private final BlobStore blobs;
    private final QuireConfig config;
    private final WorkQueue queue;
    private final ObjectMapper mapper;
    private final dev.quire.batch.metrics.QuireMetrics metrics;
    private final RiskAssessor risk;
    private final ScheduledExecutorService leases = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "lease-renewal");
        t.setDaemon(true);
        return t;
    });

    public DocumentExtractor(PlanService plans, Engines engines, BlobStore blobs, QuireConfig config, WorkQueue queue,
                             ObjectMapper mapper, dev.quire.batch.metrics.QuireMetrics metrics, RiskAssessor risk) {
        this.metrics = metrics;
        this.risk = risk;
        this.plans = plans;
        this.engines = engines;
        this.blobs = blobs;
        this.config = config;
        this.queue = queue;
        this.mapper = mapper;
    }

    /**
     * What one document came to.
     *
     * @param leaseLost another worker took the document over: this one stopped and must not finish it
     */
    public record Outcome(int answered, int failed, int skipped, String error, boolean leaseLost) {
        public Outcome(int answered, int failed, int skipped, String error) {
            this(answered, failed, skipped, error, false);
        }
    }

    /** Thrown when this worker no longer holds the document it works on. */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost(String message) {
            super(message);
        }
    }

    /** This worker's hold on a claimed document: lost when a renewal fails or another worker owns the item. */
    final class Lease {
        private final WorkQueue.Claim claim;
        private volatile String lost;

        Lease(WorkQueue.Claim claim) {
            this.claim = claim;
        }

        void renewed(boolean held) {
            if (!held && lost == null) {
                lost = "renewing the lease found that another worker holds the document";
            }
        }

        /** Throws {@link LeaseLost} unless the claim is still held (checked in the database). */
        void check() {
            if (lost == null && !queue.holds(claim)) {
                lost = "another worker holds the document now";
            }
            if (lost != null) {
                throw new LeaseLost(lost);
            }
        }

        /** Inside the answer's transaction: the claim is held (its row locked until commit), or LeaseLost. */
        void checkLocked() {
            if (lost != null || !claim.owner().equals(queue.holder(claim, true))) {
                lost = lost != null ? lost : "another worker holds the document now";
                throw new LeaseLost(lost);
            }
        }
    }

    /** Listens to each stored answer (progress). */
    public interface AnswerListener {
        void stored(Answer a);
    }

    public Outcome process(WorkQueue.Claim claim, AnswerListener listener) {
        long period = Math.max(1, config.extract().leaseSeconds() / 3);
        Lease lease = new Lease(claim);
        ScheduledFuture<?> renewal = leases.scheduleAtFixedRate(() -> {
            try {
                lease.renewed(queue.renew(claim));
            } catch (RuntimeException e) {
                LOG.warnf("renewing the lease of work item %d failed: %s", claim.itemId(), e.getMessage());
            }
        }, period, period, TimeUnit.SECONDS);
        try {
            return answerAll(claim, listener, lease);
        } catch (LeaseLost e) {
            LOG.warnf("work item %d (document %d of job %d): lease lost (%s); stopping work on this document, its "
                    + "remaining questions are left to the worker that holds it", claim.itemId(), claim.documentId(),
                    claim.jobId(), e.getMessage());
            return new Outcome(0, 0, 0, null, true);
        } finally {
            renewal.cancel(false);
        }
    }

    private Outcome answerAll(WorkQueue.Claim claim, AnswerListener listener, Lease lease) {
        ExtractJob job = QuarkusTransaction.requiringNew().call(() -> ExtractJob.<ExtractJob>findById(claim.jobId()));
        QuestionSet qs = readSet(job);
        List<QuestionSet.Ask> asks = qs.asks();
        Set<String> done = answeredKeys(claim);
        VlmEngine engine = engines.engine();
        int answered = 0;
        int failed = 0;
        PlanService.DocumentPages pages;
        List<Demonstration> demos;
        try {
            pages = plans.pages(claim.documentId(), qs.pageSelection());
            demos = demonstrations(qs);
        } catch (PlanException | UncheckedIOException e) {
            // The document (or the set's demonstrations) cannot be used: every question records why.
            for (QuestionSet.Ask ask : asks) {
                if (!done.contains(ask.key())) {
                    Answer a = base(claim, ask, engine.identity());
                    a.status = AnswerStatus.FAILED;
                    a.reason = e.getMessage();
                    store(a, listener, lease);
                    failed++;
                }
            }
            return new Outcome(0, failed, done.size(), e.getMessage());
        }
        PageImages images = new PageImages(pages.images());
        for (QuestionSet.Ask ask : asks) {
            if (done.contains(ask.key())) {
                continue;
            }
            lease.check();
            Answer a = answer(claim, ask, pages, demos, images, engine, qs, lease);
            if (store(a, listener, lease)) {
                if (a.status == AnswerStatus.FAILED) {
                    failed++;
                } else {
                    answered++;
                }
            }
        }
        return new Outcome(answered, failed, done.size(), null);
    }

    /** Question keys of the claim's document already answered in this job (by any attempt, any worker). */
    private static Set<String> answeredKeys(WorkQueue.Claim claim) {
        return new HashSet<>(QuarkusTransaction.requiringNew().call(() -> Answer.getEntityManager()
                .createQuery("select a.questionKey from Answer a where a.jobId = ?1 and a.documentId = ?2", String.class)
                .setParameter(1, claim.jobId()).setParameter(2, claim.documentId()).getResultList()));
    }

    /** Stores a FAILED row with {@code reason} for every question of the claim not answered yet; returns how many. */
    public int failRemaining(WorkQueue.Claim claim, String reason, AnswerListener listener) {
        ExtractJob job = QuarkusTransaction.requiringNew().call(() -> ExtractJob.<ExtractJob>findById(claim.jobId()));
        Set<String> done = answeredKeys(claim);
        ModelIdentity id = engines.identityOrNull();
        int n = 0;
        for (QuestionSet.Ask ask : readSet(job).asks()) {
            if (!done.contains(ask.key())) {
                Answer a = base(claim, ask, id);
                a.status = AnswerStatus.FAILED;
                a.reason = reason;
                try {
                    if (store(a, listener, new Lease(claim))) {
                        n++;
                    }
                } catch (LeaseLost e) {
                    LOG.warnf("work item %d: not recording the failure, another worker holds the document", claim.itemId());
                    return n;
                }
            }
        }
        return n;
    }

    /** One question about one document, in named steps: plan, ask (map calls, then reduce), interpret, account. */
    private Answer answer(WorkQueue.Claim claim, QuestionSet.Ask ask, PlanService.DocumentPages pages,
                          List<Demonstration> demos, PageImages images, VlmEngine engine, QuestionSet set,
                          Lease lease) {
        long t0 = System.nanoTime();
        Answer a = base(claim, ask, engine.identity());
        PlanSettings settings = set.settings(plans.settings());
        PlanService.Planned planned;
        try {
            planned = plans.plan(pages, ask.question(), demos, settings, engine.costs(), engine.identity().name());
        } catch (PlanException e) {
            a.status = AnswerStatus.FAILED;
            a.reason = "not plannable: " + e.getMessage();
            a.totalMs = ms(System.nanoTime() - t0);
            return a;
        }
        a.planId = planned.id();
        a.strategy = planned.plan().strategy().id();
        a.planMs = planned.totalMicros() / 1000f;
        Cost cost = new Cost();
        try {
            Reply reply = ask(planned.plan(), images, demos, engine, settings, cost, lease);
            interpret(a, ask, reply);
        } catch (EngineFailure e) {
            a.status = AnswerStatus.FAILED;
            a.reason = e.getMessage();
        } catch (IOException | UncheckedIOException e) {
            a.status = AnswerStatus.FAILED;
            a.reason = "page images cannot be read: " + e.getMessage();
        }
        cost.writeTo(a);
        a.totalMs = ms(System.nanoTime() - t0);
        return a;
    }

    /**
     * The model's final reply to a plan and the raw text of every call that made it.
     *
     * @param meanLogprob the mean token log-probability of the reply that is the answer (null when the engine gave none)
     */
    private record Reply(ParsedAnswer answer, String raw, Float meanLogprob) {
    }

    /** The mean of the calls' token log-probabilities over all their tokens; null if any call has none. */
    static Float meanLogprob(List<GenerateResult> calls) {
        double sum = 0;
        int n = 0;
        for (GenerateResult r : calls) {
            if (r.logprobs() == null) {
                return null;
            }
            for (float lp : r.logprobs()) {
                sum += lp;
                n++;
            }
        }
        return n == 0 ? null : (float) (sum / n);
    }

    /** Runs the plan's calls: each map (or the single) prompt, then the reduce call, or the rule when none fits. */
    private Reply ask(PromptPlan plan, PageImages images, List<Demonstration> demos, VlmEngine engine,
                      PlanSettings settings, Cost cost, Lease lease) throws IOException {
        List<PromptPlan.Prompt> maps = plan.prompts().stream().filter(p -> p.role() != PromptPlan.Role.REDUCE).toList();
        List<ParsedAnswer> parsed = new ArrayList<>();
        List<String> raws = new ArrayList<>();
        List<GenerateResult> results = new ArrayList<>();
        for (PromptPlan.Prompt p : maps) {
            long r0 = System.nanoTime();
            List<PromptPart> parts = PromptAssembler.parts(p, images, demos);
            cost.renderNanos += System.nanoTime() - r0;
            GenerateResult result = generate(engine, settings, parts, cost, lease);
            results.add(result);
            raws.add(result.text());
            parsed.add(AnswerParser.parse(result.text(), p.firstPage(), p.lastPage()));
        }
        if (maps.size() == 1) {
            return new Reply(parsed.getFirst(), raws.getFirst(), meanLogprob(results));
        }
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < maps.size(); i++) {
            all.append("[pages ").append(maps.get(i).firstPage()).append('-').append(maps.get(i).lastPage())
                    .append("] ").append(raws.get(i)).append('\n');
        }
        PromptPlan.Prompt reduce = plan.prompts().getLast().role() == PromptPlan.Role.REDUCE ? plan.prompts().getLast() : null;
        if (reduce == null) {
            // a rule picked among the chunks' answers: every chunk's reply counts
            return new Reply(AnswerParser.combine(parsed), all.toString(), meanLogprob(results));
        }
        GenerateResult result = generate(engine, settings,
                PromptAssembler.reduceParts(reduce, maps, parsed, engine.costs(), plan.answerTokens()), cost, lease);
        all.append("[reduce] ").append(result.text());
        return new Reply(AnswerParser.parse(result.text(), 1, plan.pages()), all.toString(), meanLogprob(List.of(result)));
    }

    /** What the reply means: its status, the answer and evidence, and for a typed field the parsed value. */
    private void interpret(Answer a, QuestionSet.Ask ask, Reply reply) {
        ParsedAnswer answer = reply.answer();
        a.rawOutput = reply.raw();
        a.meanLogprob = reply.meanLogprob();
        a.answer = answer.answer();
        a.evidencePages = answer.evidencePages();
        List<String> problems = new ArrayList<>(answer.problems());
        if (!answer.answerable()) {
            a.status = answer.answer().isBlank() ? AnswerStatus.PARSE_ERROR : AnswerStatus.NOT_ANSWERABLE;
        } else if (ask.type() != null) {
            FieldType.Value v = ask.type().parseValue(answer.answer());
            if (v.ok()) {
                a.status = AnswerStatus.ANSWERED;
                a.parsedValue = json(v.value());
            } else {
                a.status = AnswerStatus.PARSE_ERROR;
                problems.addFirst("value does not parse as " + ask.type().id() + ": " + v.error());
            }
        } else {
            a.status = AnswerStatus.ANSWERED;
            a.parsedValue = json(answer.answer());
        }
        a.reason = problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** Token counts and time over the calls of one answer. */
    private static final class Cost {
        int promptTokens;
        int completionTokens;
        int calls;
        int attempts;
        long renderNanos;
        long visionNanos;
        long prefillNanos;
        long decodeNanos;
        int visionCacheHits;
        int visionCacheMisses;
        int prefixCacheHits;
        int prefixCacheTokens;

        void writeTo(Answer a) {
            a.promptTokens = promptTokens;
            a.completionTokens = completionTokens;
            a.calls = calls;
            a.attempts = attempts;
            a.renderMs = ms(renderNanos);
            a.visionMs = ms(visionNanos);
            a.prefillMs = ms(prefillNanos);
            a.decodeMs = ms(decodeNanos);
            a.visionCacheHits = visionCacheHits;
            a.visionCacheMisses = visionCacheMisses;
            a.prefixCacheHits = prefixCacheHits;
            a.prefixCacheTokens = prefixCacheTokens;
        }
    }

    private static final class EngineFailure extends RuntimeException {
        EngineFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private GenerateResult generate(VlmEngine engine, PlanSettings settings, List<PromptPart> parts, Cost cost,
                                    Lease lease) {
        // each token's log-probability: the answer's mean is the review queue's "low confidence" signal
        GenerationOptions o = GenerationOptions.greedy(settings.answerTokens())
                .withPrefillChunk(config.vlm().effectivePrefillChunk()).withLogprobs(true, false);
        if (config.extract().temperature() > 0) {
            o = o.withSampling(config.extract().temperature(), 1.0, 0);
        }
        RuntimeException last = null;
        int max = Math.max(1, config.extract().maxAttempts());
        for (int attempt = 1; attempt <= max; attempt++) {
            lease.check();
            cost.attempts++;
            try {
                GenerateResult r = engine.generate(new GenerateRequest(settings.system(), parts, o));
                cost.calls++;
                cost.promptTokens += r.promptTokens();
                cost.completionTokens += r.tokens().length > 0 ? r.tokens().length : r.timings().decodedTokens();
                cost.visionNanos += r.timings().visionNanos();
                cost.prefillNanos += r.timings().prefillNanos();
                cost.decodeNanos += r.timings().decodeNanos();
                cost.visionCacheHits += r.timings().visionCacheHits();
                cost.visionCacheMisses += r.timings().visionCacheMisses();
                cost.prefixCacheHits += r.timings().prefixCacheTokens() > 0 ? 1 : 0;
                cost.prefixCacheTokens += r.timings().prefixCacheTokens();
                metrics.modelCall(r.timings().visionNanos(), r.timings().prefillNanos(), r.timings().decodeNanos());
                return r;
            } catch (EngineClosedException | LeaseLost e) {
                throw e; // shutting down, or no longer ours: not an answer
            } catch (IllegalArgumentException e) {
                throw new EngineFailure("engine refused the prompt: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                last = e;
                LOG.warnf("engine call failed (attempt %d of %d): %s", attempt, max, e.getMessage());
            }
        }
        throw new EngineFailure("engine failed " + max + " times: " + last.getMessage(), last);
    }

    private Answer base(WorkQueue.Claim claim, QuestionSet.Ask ask, ModelIdentity id) {
        Answer a = new Answer();
        if (id == null) {
            id = new ModelIdentity("unknown", "unknown", null, false, "unknown", "unknown");
        }
        a.jobId = claim.jobId();
        a.documentId = claim.documentId();
        a.questionKey = ask.key();
        a.question = ask.question();
        a.valueType = ask.type() == null ? null : ask.type().id();
        a.engine = id.engine();
        a.model = id.name();
        a.modelCheckpoint = id.checkpoint();
        a.device = id.device();
        a.precision = id.precision();
        a.demoModel = id.demo();
        a.worker = claim.owner();
        return a;
    }

    /**
     * Inserts the answer while the claim is held; false when another worker already stored this (job, document,
     * question); {@link LeaseLost} when the claim is no longer this worker's.
     */
    private boolean store(Answer a, AnswerListener listener, Lease lease) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                lease.checkLocked();
                a.persist();
                risk.assessStored(a);
            });
        } catch (PersistenceException | io.quarkus.narayana.jta.QuarkusTransactionException e) {
            boolean exists = QuarkusTransaction.requiringNew().call(() -> Answer.count(
                    "jobId = ?1 and documentId = ?2 and questionKey = ?3", a.jobId, a.documentId, a.questionKey) > 0);
            if (exists) {
                LOG.debugf("answer %s for document %d already stored by another worker", a.questionKey, a.documentId);
                return false;
            }
            throw e;
        }
        metrics.answer(a.status.name(), a.reason);
        if (listener != null) {
            listener.stored(a);
        }
        return true;
    }

    private QuestionSet readSet(ExtractJob job) {
        try {
            return QuestionSet.mapper(false).readValue(job.questionSet, QuestionSet.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job " + job.id + ": stored question set cannot be read: " + e.getMessage(), e);
        }
    }

    private List<Demonstration> demonstrations(QuestionSet qs) {
        List<Demonstration> out = new ArrayList<>();
        for (QuestionSet.Demo d : qs.demonstrations()) {
            String sha = d.image().startsWith("blob:") ? d.image().substring(5) : d.image();
            try {
                out.add(new Demonstration(blobs.image(sha), d.question(), d.answer(), d.evidencePages()));
            } catch (IOException e) {
                throw new UncheckedIOException("demonstration image " + d.image() + " cannot be read: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float ms(long nanos) {
        return nanos / 1e6f;
    }

    /** Stored page images of one document, decoded on demand; a few recent ones are kept. */
    private final class PageImages implements PromptAssembler.PageImages {
        private final Map<Integer, String> sha;
        private final Map<Integer, BufferedImage> recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, BufferedImage> e) {
                return size() > 8;
            }
        };

        PageImages(Map<Integer, String> sha) {
            this.sha = sha;
        }

        @Override
        public String sha256(int number) {
            return sha.get(number);
        }

        @Override
        public BufferedImage page(int number) throws IOException {
            BufferedImage img = recent.get(number);
            if (img == null) {
                String s = sha.get(number);
                if (s == null) {
                    throw new IOException("page " + number + " has no stored image");
                }
                img = blobs.image(s);
                recent.put(number, img);
            }
            return img;
        }
    }
}
