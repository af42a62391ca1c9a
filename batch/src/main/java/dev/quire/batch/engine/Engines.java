package dev.quire.batch.engine;

import dev.quire.batch.QuireConfig;
import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.engine.EmbeddedEngine;
import dev.quire.vlm.engine.OpenAiCompatibleEngine;
import dev.quire.vlm.engine.PromptBuilder;
import dev.quire.vlm.engine.VlmEngine;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The process's one engine, made on first use from {@code quire.vlm.*}: the embedded model (one instance per
 * device; extraction workers queue on it) or an OpenAI-compatible server. Batch code sees only {@link VlmEngine}.
 */
@ApplicationScoped
public class Engines {
    private static final Logger LOG = Logger.getLogger(Engines.class);
    private final QuireConfig config;
    private VlmEngine engine;

    public Engines(QuireConfig config) {
        this.config = config;
    }

    public synchronized VlmEngine engine() {
        if (engine == null) {
            QuireConfig.Vlm vlm = config.vlm();
            Path dir = config.modelDir(vlm.model());
            engine = switch (vlm.engine()) {
                case "embedded" -> new EmbeddedEngine(dir, vlm.device(), vlm.dtype(),
                        dev.quire.vlm.checkpoint.WeightDigests.inHome(config.home(), System.err), vlm.cacheBudgets(),
                        vlm.maxBatch());
                case "openai-compatible" -> {
                    String endpoint = vlm.endpoint().orElseThrow(() -> new IllegalArgumentException(
                            "quire.vlm.engine=openai-compatible needs quire.vlm.endpoint (e.g. http://vllm:8000/v1)"));
                    String key = System.getenv(vlm.apiKeyEnv());
                    PromptBuilder prompts = PromptBuilder.open(dir);
                    String fingerprint = Checkpoint.configFingerprint(dir);
                    yield new OpenAiCompatibleEngine(new OpenAiCompatibleEngine.Settings(URI.create(endpoint),
                            vlm.servedModel().orElse(dir.getFileName().toString()), key, vlm.timeout(), vlm.maxRetries(),
                            Duration.ofSeconds(1), vlm.concurrency()), prompts, fingerprint);
                }
                default -> throw new IllegalArgumentException("quire.vlm.engine is '" + vlm.engine()
                        + "': use embedded or openai-compatible");
            };
            LOG.infof("engine: %s", engine.identity());
        }
        return engine;
    }

    /** The engine's identity if it was made (for failure rows written before or without it). */
    public synchronized dev.quire.vlm.engine.ModelIdentity identityOrNull() {
        return engine == null ? null : engine.identity();
    }

    @PreDestroy
    synchronized void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
