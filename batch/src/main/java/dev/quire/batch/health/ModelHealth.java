package dev.quire.batch.health;

import dev.quire.batch.QuireConfig;
import dev.quire.batch.engine.Engines;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the model can answer: the embedded model is loaded (the first probe starts loading it in the
 * background, so a pod is not sent work before its weights are in memory), or the OpenAI-compatible server answers
 * {@code GET /models}. Disabled with {@code quire.health.model=false}.
 */
@Readiness
@ApplicationScoped
public class ModelHealth implements HealthCheck {
    private final QuireConfig config;
    private final Engines engines;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private CompletableFuture<Void> loading;

    public ModelHealth(QuireConfig config, Engines engines) {
        this.config = config;
        this.engines = engines;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("model").withData("engine", config.vlm().engine())
                .withData("model", config.vlm().model());
        if (!config.health().model()) {
            return r.up().withData("check", "off (quire.health.model=false)").build();
        }
        if (config.vlm().engine().equals("openai-compatible")) {
            String endpoint = config.vlm().endpoint().orElse(null);
            if (endpoint == null) {
                return r.down().withData("error", "quire.vlm.endpoint is not set").build();
            }
            URI models = URI.create(endpoint.endsWith("/") ? endpoint + "models" : endpoint + "/models");
            try {
                var req = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(3)).GET();
                String key = System.getenv(config.vlm().apiKeyEnv());
                if (key != null && !key.isBlank()) {
                    req.header("Authorization", "Bearer " + key);
                }
                int status = http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                return (status == 200 ? r.up() : r.down()).withData("endpoint", models.toString())
                        .withData("status", status).build();
            } catch (Exception e) {
                return r.down().withData("endpoint", models.toString()).withData("error", String.valueOf(e.getMessage())).build();
            }
        }
        if (engines.identityOrNull() != null) {
            return r.up().withData("loaded", engines.identityOrNull().name()).build();
        }
        synchronized (this) {
            if (loading == null || loading.isCompletedExceptionally()) {
                loading = CompletableFuture.runAsync(engines::engine);
            }
        }
        if (loading.isCompletedExceptionally()) {
            String error = loading.handle((v, e) -> e == null ? "" : String.valueOf(e.getMessage())).join();
            return r.down().withData("error", error).build();
        }
        return r.down().withData("loading", true).build();
    }
}
