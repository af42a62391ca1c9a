package dev.quire.batch;

import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.plan.Strategy;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.engine.GenerationOptions;

import dev.quire.ingestion.IngestLimits;
import dev.quire.layout.render.RenderSettings;
import dev.quire.vlm.image.ImageGeometry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The {@code quire.*} configuration keys (documented in the README). Each default is written once: here
 * ({@code @WithDefault}) for keys only the application has, or in the library record the key feeds
 * ({@link PlanSettings#defaults()}, {@link RenderSettings}, {@link IngestLimits}, the model's own geometry), which
 * the optional keys fall back to. {@code application.properties} sets no {@code quire.*} key outside test profiles.
 */
@ConfigMapping(prefix = "quire")
public interface QuireConfig {

    /**
     * Home of the embedded database, blobs, models and logs. Set by the quire command before Quarkus starts
     * ({@code QUIRE_HOME}, default {@code $HOME/.quire}; see QuireMain#home).
     */
    Path home();

    Db db();

    Render render();

    Ingest ingest();

    Vlm vlm();

    Plan plan();

    Extract extract();

    Convert convert();

    Ocr ocr();

    interface Convert {
        /** Convert Office files (DOCX, PPTX, XLSX, ODF, RTF, the binary formats) to PDF with LibreOffice and page them. */
        @WithDefault("true")
        boolean office();

        /** LibreOffice processes (and so conversions at once). */
        @WithDefault("1")
        int workers();

        /** Longest one conversion may take; past it the file is REJECTED and LibreOffice restarted. */
        @WithDefault("120s")
        java.time.Duration timeout();
    }

    interface Ocr {
        /** Tesseract languages joined by '+', e.g. {@code eng+deu} (each needs Debian's tesseract-ocr-LANG). */
        @WithDefault("eng")
        String languages();

        /** auto: pages without a usable text layer (and images); always: every page; never. */
        @WithDefault("auto")
        String mode();

        /** Longest OCR of one page may take; past it the page keeps no words (and says why in the log). */
        @WithDefault("120s")
        java.time.Duration timeout();
    }

    Http http();

    Health health();

    /** A model setting ({@code demo} or a checkpoint folder) as a checkpoint folder; the demo is made on first use. */
    default Path modelDir(String model) {
        if (DemoCheckpoint.NAME.equals(model)) {
            return DemoCheckpoint.ensure(home().resolve("models"));
        }
        return Path.of(model);
    }

    /**
     * Long-context prompt planning: how a question over a document is fitted into the model's context. Every key is
     * optional; its default is {@link PlanSettings#defaults()} (the one place planning defaults are written).
     */
    interface Plan {
        /** auto | single | multigranular | mapreduce (auto: single when every page fits at native resolution). */
        Optional<String> strategy();

        /** Context to plan for in tokens; 0 = the model's own (max_position_embeddings). Larger values are capped. */
        OptionalInt contextTokens();

        /** Tokens kept free for the answer (max new tokens). */
        OptionalInt answerTokens();

        /** Vision tokens of one page thumbnail in the multigranular overview. */
        OptionalInt thumbnailTokens();

        /** Smallest thumbnail before falling back to map-reduce. */
        OptionalInt minThumbnailTokens();

        /** Crop white margins (to the page's ink box plus margin-px) before encoding. */
        Optional<Boolean> cropMargins();

        OptionalInt marginPx();

        /** Leave pages without ink out of prompts (they are listed in the plan). */
        Optional<Boolean> skipBlank();

        default PlanSettings settings() {
            PlanSettings d = PlanSettings.defaults();
            return new PlanSettings(strategy().map(Strategy::parse).orElse(d.strategy()),
                    contextTokens().orElse(d.contextTokens()), answerTokens().orElse(d.answerTokens()),
                    thumbnailTokens().orElse(d.thumbnailTokens()), minThumbnailTokens().orElse(d.minThumbnailTokens()),
                    cropMargins().orElse(d.cropMargins()), marginPx().orElse(d.marginPx()),
                    skipBlank().orElse(d.skipBlank()), d.system());
        }
    }

    /** The vision-language model. */
    interface Vlm {
        /** "demo" (the built-in tiny checkpoint, made under $QUIRE_HOME/models) or a checkpoint folder. */
        @WithDefault("demo")
        String model();

        /** auto | cpu | cuda | cuda:N ("auto" logs what it chose and why). */
        @WithDefault("auto")
        String device();

        /** Compute precision: auto | float32 | bfloat16 | float16 (auto: the checkpoint's stored dtype; see Precision). */
        @WithDefault("auto")
        String dtype();

        /** Prompt tokens per prefill step: bounds attention memory on long prompts (default: the engine's). */
        OptionalInt prefillChunk();

        default int effectivePrefillChunk() {
            return prefillChunk().orElse(GenerationOptions.DEFAULT_PREFILL_CHUNK);
        }

        /**
         * Memory for encoded page images the embedded engine keeps across requests (LRU, keyed by the exact image
         * sent: stored page SHA-256 + crop + size); 0 turns the vision cache off. Default: the engine's (512M).
         */
        Optional<io.quarkus.runtime.configuration.MemorySize> visionCacheBytes();

        /**
         * Memory for prefilled prompt prefixes (everything up to a prompt's last image: system turn, demonstrations,
         * page images) the embedded engine keeps so a document's further questions continue from a copy instead of
         * prefilling again (LRU); a prefix larger than this is not kept. 0 turns the prefix cache off. Default: the
         * engine's (1G).
         */
        Optional<io.quarkus.runtime.configuration.MemorySize> prefixCacheBytes();

        /** The cache budgets for the embedded engine (unset: the engine's defaults). */
        default dev.quire.vlm.engine.CacheBudgets cacheBudgets() {
            return new dev.quire.vlm.engine.CacheBudgets(
                    visionCacheBytes().map(m -> m.asLongValue()).orElse(dev.quire.vlm.engine.CacheBudgets.DEFAULT_VISION_BYTES),
                    prefixCacheBytes().map(m -> m.asLongValue()).orElse(dev.quire.vlm.engine.CacheBudgets.DEFAULT_PREFIX_BYTES));
        }

        /**
         * Most requests the embedded engine has in flight and decodes together (one forward step advances each by a
         * token); callers beyond it wait for a place. 1 = one request at a time.
         */
        @WithDefault("8")
        int maxBatch();

        /** embedded (the in-process model) | openai-compatible (a vLLM/SGLang server at {@link #endpoint}). */
        @WithDefault("embedded")
        String engine();

        /** Base URL of the OpenAI-compatible server, e.g. http://vllm:8000/v1. */
        Optional<String> endpoint();

        /** Model name the server serves (default: the checkpoint folder's name). */
        Optional<String> servedModel();

        /** Environment variable holding the server's API key. */
        @WithDefault("QUIRE_VLM_API_KEY")
        String apiKeyEnv();

        /** Per-request timeout of the OpenAI-compatible engine. */
        @WithDefault("300s")
        Duration timeout();

        /** Retries after a 429, a 5xx or a connection error (exponential backoff from 1 s). */
        @WithDefault("4")
        int maxRetries();

        /** Most requests in flight to the server from one process. */
        @WithDefault("4")
        int concurrency();
    }

    /** Extraction jobs: question sets over stored documents. */
    interface Extract {
        /** Documents worked on at once in one process (JBeret partitions); they share one model per device. */
        @WithDefault("2")
        int workers();

        /** A claimed document's lease; a worker that stops renewing it (died) loses the document to others. */
        @WithDefault("60")
        int leaseSeconds();

        /** Attempts per question when the engine fails, and per document when its worker dies. */
        @WithDefault("3")
        int maxAttempts();

        /** Sampling temperature (0 = greedy, reproducible). */
        @WithDefault("0")
        double temperature();

        /**
         * On SIGTERM a worker stops claiming and gives the documents in hand this long to finish, then hands them back
         * to the queue (keep it below the pod's {@code terminationGracePeriodSeconds}).
         */
        @WithDefault("20s")
        Duration drainTimeout();
    }

    /** Read by the quire command before Quarkus starts (see QuireMain); declared here so the key is known. */
    interface Http {
        /** Commands other than {@code serve} serve HTTP (health probes, metrics) only when true. */
        @WithDefault("false")
        boolean listen();
    }

    /** Health checks ({@code /q/health}). */
    interface Health {
        /**
         * Readiness includes the model: the embedded model loaded (loading starts with the first probe), or the
         * inference server answering {@code GET /models}. Off for pods that never run the model (the web pod with
         * remote workers).
         */
        @WithDefault("true")
        boolean model();
    }

    /** Read by the quire command before Quarkus starts (see QuireMain); declared here so the keys are known. */
    interface Db {
        /** JDBC URL of an external PostgreSQL; absent = the embedded server over {@code $QUIRE_HOME/db}. */
        Optional<String> url();

        /** Fixed port for the embedded server; absent = any free port. */
        OptionalInt port();
    }

    interface Render {
        /** Rendering workers (JBeret partitions, one open document each); 0 = number of cores. */
        @WithDefault("0")
        int workers();

        /**
         * Most encoder patches per page image; sets the pixel budget. Unset = the configured model's
         * {@code in_token_limit} (its preprocessor_config.json); set = an explicit override that wins.
         */
        OptionalInt maxPatches();

        /** Encoder patch side in pixels. Unset = the model's {@code patch_size}; set = an override that wins. */
        OptionalInt patchSize();

        /**
         * Patches merged per side into one LLM token; page sides are aligned to patch-size × merge. Unset = the
         * model's {@code merge_kernel_size}; set = an override (both sides) that wins.
         */
        OptionalInt merge();

        /** Wall-clock limit for one page (rendering and text extraction each); default {@link RenderSettings#DEFAULT_PAGE_TIMEOUT}. */
        Optional<Duration> pageTimeout();

        /** Upper bound on a PDF page's render resolution; absent = the pixel budget alone decides. */
        OptionalDouble maxDpi();

        /** Main memory one open PDF may use for its streams before spilling to scratch files. */
        OptionalLong mainMemoryBytes();

        default long effectiveMainMemoryBytes() {
            return mainMemoryBytes().orElse(RenderSettings.DEFAULT_MAIN_MEMORY_BYTES);
        }

        /** The geometry pages are rendered for: the model's, with each {@code quire.render.*} key that is set in its place. */
        default ImageGeometry geometry(ImageGeometry model) {
            int mergeH = merge().orElse(model.mergeHeight());
            int mergeW = merge().orElse(model.mergeWidth());
            return new ImageGeometry(patchSize().orElse(model.patchSize()), mergeH, mergeW,
                    maxPatches().orElse(model.inTokenLimit()), model.padInput(), model.maxPatchesPerSide());
        }

        /** Rendering settings for pages of a model with geometry {@code model} (see {@link #geometry}). */
        default RenderSettings settings(ImageGeometry model) {
            RenderSettings s = RenderSettings.forEncoder(geometry(model), pageTimeout().orElse(RenderSettings.DEFAULT_PAGE_TIMEOUT),
                    effectiveMainMemoryBytes());
            return maxDpi().isPresent() ? s.withMaxDpi(maxDpi().getAsDouble()) : s;
        }

        default int effectiveWorkers() {
            return workers() > 0 ? workers() : Runtime.getRuntime().availableProcessors();
        }
    }

    interface Ingest {
        /** Files larger than this are rejected unread (default {@link IngestLimits#DEFAULT_MAX_BYTES}). */
        OptionalLong maxBytes();

        /** Documents with more pages are rejected (default {@link IngestLimits#DEFAULT_MAX_PAGES}). */
        OptionalInt maxPages();

        /** Documents per chunk checkpoint (a killed run redoes at most this many per worker). */
        @WithDefault("1")
        int chunkSize();

        /** Transaction timeout of one chunk: must cover rendering the largest document. */
        @WithDefault("3600")
        int chunkTimeoutSeconds();

        /** A run's claim by a process expires this long after its last heartbeat (so a killed run can be resumed). */
        @WithDefault("30")
        int leaseSeconds();

        /** Embed each page's text passages (MiniLM) at ingest, so planning a question needs no model pass over pages. */
        @WithDefault("true")
        boolean embedPassages();

        default IngestLimits limits(long mainMemoryBytes) {
            return new IngestLimits(maxBytes().orElse(IngestLimits.DEFAULT_MAX_BYTES),
                    maxPages().orElse(IngestLimits.DEFAULT_MAX_PAGES), mainMemoryBytes);
        }
    }
}
