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
import java.util.Arrays;

/**
 * The in-process engine: a Kimi-VL checkpoint loaded into {@link KimiVlModel} on CPU or CUDA. Requests are
 * served one at a time (generate is synchronized: the model runs one request at a time); batch jobs keep one
 * engine per device.
 */
public final class EmbeddedEngine implements VlmEngine {
    private final Checkpoint checkpoint;
    private final KimiTokenizer tokenizer;
    private final PromptBuilder prompts;
    private final KimiVlModel model;
    private final ModelIdentity identity;
    private final int[] stops;
    private final PromptReuse reuse;
    private volatile boolean closing;

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
        this(checkpointDir, device, precision, digests, CacheBudgets.DEFAULT);
    }

    /**
     * @param device    auto | cpu | cuda | cuda:N
     * @param precision compute precision: auto | float32 | bfloat16 | float16 ({@link Precision})
     * @param digests   hashes the weight files for the model identity (cached under $QUIRE_HOME: read once)
     * @param caches    memory for encoded images and prefilled prompt prefixes kept across requests (0: off)
     */
    public EmbeddedEngine(Path checkpointDir, String device, String precision, WeightDigests digests,
                          CacheBudgets caches) {
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
            this.model = new KimiVlModel(checkpoint, where, requested);
            this.identity = new ModelIdentity("embedded", checkpointDir.toAbsolutePath().normalize().getFileName().toString(),
                    checkpoint.fingerprint(digests), DemoCheckpoint.isDemo(checkpointDir), where.spec(), model.precision().id());
            this.stops = ChatPrompt.stopTokens(tokenizer);
            this.reuse = new PromptReuse(model, caches);
            System.getLogger(EmbeddedEngine.class.getName()).log(System.Logger.Level.INFO,
                    "Kimi-VL engine: " + identity + " (" + where.reason() + "; precision " + model.precision().reason() + ")");
        } catch (RuntimeException e) {
            checkpoint.close();
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

    @Override
    public synchronized GenerateResult generate(GenerateRequest request) {
        GenerationOptions o = request.options();
        long t0 = System.nanoTime();
        PromptBuilder.Built built = prompts.build(request);
        ChatPrompt.Tokens prompt = built.tokens();
        int needed = prompt.length() + o.maxNewTokens();
        if (needed > contextLength()) {
            throw new IllegalArgumentException("prompt of " + prompt.length() + " tokens + " + o.maxNewTokens()
                    + " new tokens exceeds the model's context of " + contextLength() + " tokens");
        }
        long built0 = System.nanoTime() - t0;
        try (PromptReuse.Start start = reuse.start(built, needed, o.prefillChunk(), this::checkOpen)) {
            return run(prompt, start, built0, o, t0);
        }
    }

    private GenerateResult run(ChatPrompt.Tokens prompt, PromptReuse.Start start, long buildNanos, GenerationOptions o,
                               long t0) {
        KimiVlModel.Session session = start.session();
        KimiVlModel.ImageFeatures features = start.features();
        float[] logits = reuse.prefill(start, prompt.ids(), prompt.length(), o.prefillChunk(), this::checkOpen);
        long t2 = System.nanoTime();
        long t1 = t0 + buildNanos + start.visionNanos(); // prompt building and vision; the rest of t0..t2 is prefill
        float[] first = o.firstLogits() ? logits.clone() : null;

        Sampler sampler = new Sampler(o.temperature(), o.topP(), o.seed());
        int[] out = new int[o.maxNewTokens()];
        float[] lp = o.logprobs() ? new float[o.maxNewTokens()] : null;
        int n = 0;
        String stop = "length";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int emitted = 0;
        long[] noImage = {-1};
        while (true) {
            checkOpen();
            int next = sampler.next(logits);
            if (isStop(next)) {
                stop = "stop";
                break;
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
                break;
            }
            logits = session.forward(new int[] {next}, noImage, features, false);
        }
        long t3 = System.nanoTime();
        int[] tokens = Arrays.copyOf(out, n);
        return new GenerateResult(tokenizer.decode(tokens), tokens, lp == null ? null : Arrays.copyOf(lp, n),
                prompt.length(), stop, new GenerateResult.Timings(t1 - t0, t2 - t1, t3 - t2, n, start.visionHits(),
                start.visionMisses(), start.prefixTokens()), identity, first);
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
     * Stops a generation in flight at its next prefill chunk or decoded token, waits for it to leave, then unmaps
     * the weights (a generation still reading them would otherwise crash the JVM, e.g. on SIGTERM).
     */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            reuse.clear();
            checkpoint.close();
        }
    }
}
