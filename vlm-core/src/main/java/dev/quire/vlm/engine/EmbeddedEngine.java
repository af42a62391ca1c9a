package dev.quire.vlm.engine;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.checkpoint.WeightDigests;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.model.KimiVlModel;
import dev.quire.vlm.model.Precision;
import dev.quire.vlm.model.TorchDevice;
import dev.quire.vlm.tokenizer.ChatPrompt;
import dev.quire.vlm.tokenizer.KimiTokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The in-process engine: a Kimi-VL checkpoint loaded into {@link KimiVlModel} on CPU or CUDA; batch jobs keep one
 * engine per device. {@link #generate} may be called from many threads. All model work runs on one model thread:
 * a caller's image encoding and prefill chunks are handed to it and run between decode steps; the caller's
 * sequence then joins the decode loop, where one forward step advances every active sequence by one token (continuous batching:
 * sequences join and leave between steps, each with its own position, latent cache, sampler and stop tokens).
 * At most {@code maxBatch} requests are in flight; more wait for a place.
 */
public final class EmbeddedEngine implements VlmEngine {
    private final Checkpoint checkpoint;
    private final KimiTokenizer tokenizer;
    private final PromptBuilder prompts;
    private final KimiVlModel model;
    private final ModelIdentity identity;
    private final int[] stops;
    private final PromptReuse reuse;
    private final int maxBatch;
    /** Places for requests in flight (prefilling or decoding): bounds the batch and the latent caches held. */
    private final Semaphore places;
    /** Guards {@link #joining}, {@link #tasks} and {@link #decoder}. */
    private final Object loop = new Object();
    private final List<Sequence> joining = new ArrayList<>();
    /** Model work handed to the model thread by callers (image encoding, prefill chunks), taken one per decode step. */
    private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
    private Thread decoder;
    private volatile int peakBatch;
    private volatile boolean closing;
    private boolean checkpointClosed; // under loop

    /** Requests decoded together unless set ({@code quire.vlm.max-batch}); chosen by bench/vlm-bench.sh. */
    public static final int DEFAULT_MAX_BATCH = 8;

    public EmbeddedEngine(Path checkpointDir, String device) {
        this(checkpointDir, device, "auto");
    }

    /**
     * @param device    auto | cpu | cuda | cuda:N
     * @param precision compute precision: auto | float32 | bfloat16 | float16 ({@link Precision})
     */
    public EmbeddedEngine(Path checkpointDir, String device, String precision) {
        this(checkpointDir, device, precision, WeightDigests.uncached());
    }

    /**
     * @param device    auto | cpu | cuda | cuda:N
     * @param precision compute precision: auto | float32 | bfloat16 | float16 ({@link Precision})
     * @param digests   hashes the weight files for the model identity (cached under $QUIRE_HOME: read once)
     */
    public EmbeddedEngine(Path checkpointDir, String device, String precision, WeightDigests digests) {
        this(checkpointDir, device, precision, digests, CacheBudgets.DEFAULT, DEFAULT_MAX_BATCH);
    }

    /** With the given cache budgets, decoding up to {@link #DEFAULT_MAX_BATCH} requests together. */
    public EmbeddedEngine(Path checkpointDir, String device, String precision, WeightDigests digests,
                          CacheBudgets caches) {
        this(checkpointDir, device, precision, digests, caches, DEFAULT_MAX_BATCH);
    }

    /** With the default cache budgets, decoding up to {@code maxBatch} requests together. */
    public EmbeddedEngine(Path checkpointDir, String device, String precision, WeightDigests digests, int maxBatch) {
        this(checkpointDir, device, precision, digests, CacheBudgets.DEFAULT, maxBatch);
    }

    /**
     * @param device    auto | cpu | cuda | cuda:N
     * @param precision compute precision: auto | float32 | bfloat16 | float16 ({@link Precision})
     * @param digests   hashes the weight files for the model identity (cached under $QUIRE_HOME: read once)
     * @param caches    memory for encoded images and prefilled prompt prefixes kept across requests (0: off)
     * @param maxBatch  most requests in flight, decoded together ({@code quire.vlm.max-batch}; 1 = one at a time)
     */
    public EmbeddedEngine(Path checkpointDir, String device, String precision, WeightDigests digests,
                          CacheBudgets caches, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("quire.vlm.max-batch must be at least 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
        this.places = new Semaphore(maxBatch, true);
        Precision requested = Precision.parse(precision);
        TorchDevice where = TorchDevice.resolve(device);
        this.checkpoint = Checkpoint.open(checkpointDir);
        try {
            this.tokenizer = KimiTokenizer.load(checkpointDir);
            try {
                this.prompts = new PromptBuilder(tokenizer, checkpoint.processor(), checkpoint.config());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(checkpointDir + ": " + e.getMessage(), e);
            }
            // built on the model thread like every later libtorch call: the native (OpenMP) thread pool belongs to
            // the calling thread, and a second pool left spinning by a loading thread halves the cores for the model
            this.model = onModelThread(() -> new KimiVlModel(checkpoint, where, requested));
            this.identity = new ModelIdentity("embedded", checkpointDir.toAbsolutePath().normalize().getFileName().toString(),
                    checkpoint.fingerprint(digests), DemoCheckpoint.isDemo(checkpointDir), where.spec(), model.precision().id());
            this.stops = ChatPrompt.stopTokens(tokenizer);
            this.reuse = new PromptReuse(model, caches);
            System.getLogger(EmbeddedEngine.class.getName()).log(System.Logger.Level.INFO,
                    "Kimi-VL engine: " + identity + " (" + where.reason() + "; precision " + model.precision().reason()
                            + "; routed experts: " + model.expertStorage() + "; decoding up to " + maxBatch + " requests together)");
        } catch (RuntimeException | Error e) {
            close(); // ends the model thread (if started), which unmaps the weights
            throw e;
        }
    }

    /** What the vision and prefix caches did so far. */
    public CacheBudgets.Stats cacheStats() {
        return reuse.stats();
    }

    /** Why the device was chosen (for logs). */
    public String deviceReason() {
        return model.device().reason();
    }

    /** The compute precision and why it was chosen (for logs). */
    public Precision.Choice precision() {
        return model.precision();
    }

    /** The model's decode floor ({@link KimiVlModel#matmulFloorNanos}), measured between model calls. */
    public long matmulFloorNanos(int repeats) {
        return onModelThread(() -> {
            checkOpen();
            return model.matmulFloorNanos(repeats);
        });
    }

    /** Decoder layers of the model. */
    public int numLayers() {
        return model.numLayers();
    }

    /** Most requests decoded together. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Prefilled sequences waiting for the next decode step to take them in (for tests). */
    int joiningCount() {
        synchronized (loop) {
            return joining.size();
        }
    }

    /** The most sequences one decode step has advanced so far. */
    public int peakBatch() {
        return peakBatch;
    }

    @Override
    public GenerateResult generate(GenerateRequest request) {
        GenerationOptions o = request.options();
        long t0 = System.nanoTime();
        PromptBuilder.Built built = prompts.build(request);
        ChatPrompt.Tokens prompt = built.tokens();
        int needed = prompt.length() + o.maxNewTokens();
        if (needed > contextLength()) {
            throw new IllegalArgumentException("prompt of " + prompt.length() + " tokens + " + o.maxNewTokens()
                    + " new tokens exceeds the model's context of " + contextLength() + " tokens");
        }
        checkOpen();
        try {
            places.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineClosedException("interrupted while waiting for a place in the decode batch");
        }
        try {
            Sequence s = prefill(prompt, built, o, t0);
            join(s);
            return s.result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            places.release();
        }
    }

    /**
     * Positions the request from what earlier requests computed ({@link PromptReuse}: a cached prefix, else its
     * images from the vision cache and the shared prefix prefilled and offered to the prefix cache), then prefills
     * the rest of the prompt one chunk per model turn; the sequence is then ready to decode.
     */
    private Sequence prefill(ChatPrompt.Tokens prompt, PromptBuilder.Built built, GenerationOptions o, long t0) {
        long buildNanos = System.nanoTime() - t0;
        int capacity = prompt.length() + o.maxNewTokens();
        PromptReuse.Start start = onModelThread(() -> {
            checkOpen();
            return reuse.start(built, capacity, o.prefillChunk(), this::checkOpen);
        });
        try (start) {
            long t1 = t0 + buildNanos + start.visionNanos(); // prompt building and vision; the rest up to t2 is prefill
            float[] logits = null;
            while (start.session().length() < prompt.length()) {
                int end = (int) Math.min(prompt.length(), start.session().length() + o.prefillChunk());
                logits = onModelThread(() -> reuse.prefill(start, prompt.ids(), end, o.prefillChunk(), this::checkOpen));
            }
            if (logits == null) {
                throw new IllegalStateException("prompt of " + prompt.length() + " tokens left nothing to prefill");
            }
            long t2 = System.nanoTime();
            return new Sequence(start.session(), prompt.length(), o, logits, t1 - t0, t2 - t1, start.visionHits(),
                    start.visionMisses(), start.prefixTokens());
        } catch (RuntimeException e) {
            try {
                onModelThread(() -> {
                    start.session().close();
                    return null;
                });
            } catch (EngineClosedException closed) {
                // the model thread has gone; the cache is freed when collected
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} on the model thread, which makes every libtorch call of this engine (one thread: no two
     * threads' native thread pools compete for the cores), between decode steps; waits for its result.
     */
    private <T> T onModelThread(java.util.function.Supplier<T> work) {
        if (Thread.currentThread() == decoder) {
            return work.get();
        }
        java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
        synchronized (loop) {
            if (closing) {
                throw new EngineClosedException("the engine is shutting down; generation stopped");
            }
            tasks.add(() -> {
                try {
                    done.complete(work.get());
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                }
            });
            startModelThread();
            loop.notifyAll();
        }
        try {
            return done.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void startModelThread() { // under loop
        if (decoder == null) {
            decoder = Thread.ofPlatform().daemon().name("quire-vlm-model").start(this::decodeLoop);
        }
    }

    /** Hands a prefilled sequence to the decode loop (started on first use). */
    private void join(Sequence s) {
        synchronized (loop) {
            if (closing) {
                throw new EngineClosedException("the engine is shutting down; generation stopped");
            }
            joining.add(s);
            startModelThread();
            loop.notifyAll();
        }
    }

    /**
     * The decode loop: between steps, sequences that finished prefill join; each active sequence samples its next
     * token from its logits (and leaves on a stop token or at its token limit); one model step then advances all
     * that remain by their new token.
     */
    private void decodeLoop() {
        List<Sequence> active = new ArrayList<>();
        while (true) {
            Runnable task;
            synchronized (loop) {
                while (active.isEmpty() && joining.isEmpty() && tasks.isEmpty() && !closing) {
                    try {
                        loop.wait();
                    } catch (InterruptedException e) {
                        // only close() ends the loop
                    }
                }
                active.addAll(joining);
                joining.clear();
                if (closing) {
                    for (Sequence s : active) {
                        s.fail(new EngineClosedException("the engine is shutting down; generation stopped"));
                    }
                    for (Runnable t : tasks) {
                        t.run(); // each checks the engine is open first, so its caller gets EngineClosedException
                    }
                    tasks.clear();
                    closeCheckpoint();
                    return;
                }
                task = tasks.poll();
            }
            if (task != null) {
                task.run(); // one caller's encoding or prefill chunk between two decode steps
            }
            List<Sequence> next = new ArrayList<>(active.size());
            int[] tokens = new int[active.size()];
            for (Sequence s : active) {
                try {
                    int token = s.sample();
                    if (token >= 0) {
                        tokens[next.size()] = token;
                        next.add(s);
                    } else {
                        s.finish();
                    }
                } catch (RuntimeException | Error e) {
                    s.fail(e); // the request's own listener failed: only that request ends
                }
            }
            active = next;
            if (active.isEmpty() || closing) {
                continue; // when closing, the top of the loop fails them
            }
            peakBatch = Math.max(peakBatch, active.size());
            try {
                float[][] logits = model.decode(active.stream().map(s -> s.session).toList(),
                        Arrays.copyOf(tokens, active.size()));
                for (int i = 0; i < active.size(); i++) {
                    active.get(i).logits = logits[i];
                }
            } catch (RuntimeException | Error e) {
                for (Sequence s : active) {
                    s.fail(e);
                }
                active = new ArrayList<>();
            }
        }
    }

    private void closeCheckpoint() { // under loop
        if (!checkpointClosed) {
            checkpointClosed = true;
            if (reuse != null) {
                reuse.clear(); // cached image encodings and prefixes
            }
            checkpoint.close();
        }
    }

    /** One request in the decode loop: its cache, sampler, tokens so far and the caller waiting for the result. */
    private final class Sequence {
        final KimiVlModel.Session session;
        final int promptTokens;
        final GenerationOptions o;
        final Sampler sampler;
        final float[] first;
        final int[] out;
        final float[] lp;
        final long visionNanos, prefillNanos;
        final int visionHits, visionMisses, prefixTokens;
        final long joined = System.nanoTime();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final java.util.concurrent.CompletableFuture<GenerateResult> result = new java.util.concurrent.CompletableFuture<>();
        float[] logits;
        int n;
        int emitted;
        String stop = "length";

        Sequence(KimiVlModel.Session session, int promptTokens, GenerationOptions o, float[] logits, long visionNanos,
                 long prefillNanos, int visionHits, int visionMisses, int prefixTokens) {
            this.visionHits = visionHits;
            this.visionMisses = visionMisses;
            this.prefixTokens = prefixTokens;
            this.session = session;
            this.promptTokens = promptTokens;
            this.o = o;
            this.logits = logits;
            this.first = o.firstLogits() ? logits.clone() : null;
            this.sampler = new Sampler(o.temperature(), o.topP(), o.seed());
            this.out = new int[o.maxNewTokens()];
            this.lp = o.logprobs() ? new float[o.maxNewTokens()] : null;
            this.visionNanos = visionNanos;
            this.prefillNanos = prefillNanos;
        }

        /** Samples and records the next token; −1 when the sequence is done (stop token, or no room for another). */
        int sample() {
            int next = sampler.next(logits);
            if (!o.ignoreStop() && isStop(next)) {
                stop = "stop";
                return -1;
            }
            if (lp != null) {
                lp[n] = Sampler.logSoftmax(logits, next);
            }
            out[n++] = next;
            if (o.listener() != null) {
                bytes.writeBytes(tokenizer.tokenBytes(next));
                byte[] all = bytes.toByteArray();
                int complete = completeUtf8Prefix(all);
                String delta = new String(all, emitted, complete - emitted, StandardCharsets.UTF_8);
                emitted = complete;
                o.listener().onToken(next, delta);
            }
            if (n == o.maxNewTokens()) {
                finish();
                return -1;
            }
            return next;
        }

        void finish() {
            if (result.isDone()) {
                return;
            }
            session.close();
            int[] tokens = Arrays.copyOf(out, n);
            result.complete(new GenerateResult(tokenizer.decode(tokens), tokens, lp == null ? null : Arrays.copyOf(lp, n),
                    promptTokens, stop, new GenerateResult.Timings(visionNanos, prefillNanos, System.nanoTime() - joined, n,
                            visionHits, visionMisses, prefixTokens),
                    identity, first));
        }

        void fail(Throwable e) {
            if (!result.isDone()) {
                session.close();
                result.completeExceptionally(e);
            }
        }
    }

    private boolean isStop(int id) {
        for (int s : stops) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    /** Length of the longest prefix of {@code b} that ends on a UTF-8 character boundary. */
    static int completeUtf8Prefix(byte[] b) {
        int i = b.length;
        int back = 0;
        while (i > 0 && back < 4 && (b[i - 1] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        if (i == 0) {
            return b.length;
        }
        int lead = b[i - 1] & 0xFF;
        int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return back + 1 >= need ? b.length : i - 1;
    }

    @Override
    public TokenCosts costs() {
        return prompts;
    }

    /** The number of prompt tokens this request would take (images processed), without running the model. */
    public int promptTokens(GenerateRequest request) {
        return prompts.build(request).tokens().length();
    }

    @Override
    public ModelIdentity identity() {
        return identity;
    }

    public KimiTokenizer tokenizer() {
        return tokenizer;
    }

    private void checkOpen() {
        if (closing) {
            throw new EngineClosedException("the engine is shutting down; generation stopped");
        }
    }

    /**
     * Stops the generations in flight (at their next prefill chunk or decode step; their callers get an
     * {@link EngineClosedException}), waits for the decode loop to leave, then unmaps the weights (a generation still
     * reading them would otherwise crash the JVM, e.g. on SIGTERM).
     */
    @Override
    public void close() {
        Thread d;
        synchronized (loop) {
            closing = true;
            d = decoder;
            if (d == null) {
                closeCheckpoint(); // no model thread was ever started: nothing else reads the weights
            }
            loop.notifyAll();
        }
        if (d != null && d != Thread.currentThread()) {
            try {
                d.join(); // it fails the generations in flight, then unmaps the weights and ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
