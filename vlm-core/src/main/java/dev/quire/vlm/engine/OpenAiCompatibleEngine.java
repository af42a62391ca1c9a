package dev.quire.vlm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quire.vlm.tokenizer.ChatPrompt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;

/**
 * A Kimi-VL served by an OpenAI-compatible server (vLLM, SGLang): multi-image chat completions with images as
 * base64 PNG data URLs. Token arithmetic comes from the model's tokenizer and configuration files kept locally
 * ({@link PromptBuilder}), so plans fit; the context is the smaller of the model's and the server's
 * ({@code max_model_len} from {@code /v1/models}, when it reports one). Requests time out, are retried with
 * exponential backoff (honouring {@code Retry-After}) on 429, 5xx and connection errors, and at most
 * {@code concurrency} run at once. The server's whole round trip is reported as prefill time (it does not say more).
 * When the options ask for logprobs the request asks for them ({@code logprobs: true}); a server that does not
 * return them gives a result without (null), not an error.
 */
public final class OpenAiCompatibleEngine implements VlmEngine {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param endpoint     base URL, e.g. {@code http://vllm:8000/v1}
     * @param model        served model name
     * @param apiKey       bearer token, or null
     * @param timeout      per-request timeout
     * @param maxRetries   retries after the first attempt
     * @param backoff      first retry delay (doubles each time)
     * @param concurrency  most requests in flight from this process
     */
    public record Settings(URI endpoint, String model, String apiKey, Duration timeout, int maxRetries, Duration backoff,
                           int concurrency) {
        public Settings {
            if (maxRetries < 0 || concurrency < 1) {
                throw new IllegalArgumentException("max retries must be >= 0 and concurrency >= 1");
            }
        }
    }

    /** The server said no, or could not be reached, after every retry. */
    public static final class EngineException extends RuntimeException {
        public EngineException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Settings settings;
    private final PromptBuilder prompts;
    private final HttpClient http;
    private final Semaphore inFlight;
    private final int context;
    private final ModelIdentity identity;

    public OpenAiCompatibleEngine(Settings settings, PromptBuilder prompts, String checkpointFingerprint) {
        this.settings = settings;
        this.prompts = prompts;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        this.inFlight = new Semaphore(settings.concurrency(), true);
        Integer served = servedContext();
        this.context = served == null ? prompts.contextLength() : Math.min(served, prompts.contextLength());
        this.identity = new ModelIdentity("openai-compatible", settings.model(), checkpointFingerprint, false,
                settings.endpoint().toString(), "server");
    }

    /**
     * The server's context for the model ({@code max_model_len}), or null when it lists the model without one. A
     * server that does not list the model at all is an error naming what it does serve.
     */
    private Integer servedContext() {
        HttpResponse<String> r;
        JsonNode listed;
        try {
            r = send(HttpRequest.newBuilder(resolve("models")).GET(), "GET /models");
            listed = JSON.readTree(r.body()).path("data");
        } catch (IOException | EngineException e) {
            throw new EngineException(settings.endpoint() + ": cannot list models (" + e.getMessage()
                    + "); is the server up and quire.vlm.endpoint right?", e);
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode m : listed) {
            ids.add(m.path("id").asText());
            if (settings.model().equals(m.path("id").asText())) {
                return m.has("max_model_len") ? m.get("max_model_len").asInt() : null;
            }
        }
        throw new EngineException(settings.endpoint() + " does not serve model '" + settings.model() + "': GET /models "
                + "lists " + (ids.isEmpty() ? "no model (" + excerpt(r.body()) + ")" : String.join(", ", ids))
                + "; set quire.vlm.served-model to one of them", null);
    }

    /** The start of a server's body, for error messages. */
    static String excerpt(String body) {
        String b = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return b.isEmpty() ? "an empty body" : b.length() > 400 ? b.substring(0, 400) + "…" : b;
    }

    @Override
    public GenerateResult generate(GenerateRequest request) {
        GenerationOptions o = request.options();
        long t0 = System.nanoTime();
        int promptTokens = prompts.build(request).tokens().length();
        if (promptTokens + o.maxNewTokens() > context) {
            throw new IllegalArgumentException("prompt of " + promptTokens + " tokens + " + o.maxNewTokens()
                    + " new tokens exceeds the context of " + settings.model() + " at " + settings.endpoint() + " ("
                    + context + " tokens); plan for a smaller context (quire.plan.context-tokens)");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("model", settings.model());
        ArrayNode messages = body.putArray("messages");
        // the same system turn the embedded engine and the token arithmetic use (the default when none is given)
        messages.addObject().put("role", "system").put("content", ChatPrompt.system(request.system()));
        ObjectNode user = messages.addObject().put("role", "user");
        ArrayNode content = user.putArray("content");
        for (PromptPart p : request.parts()) {
            switch (p) {
                case PromptPart.Text t -> content.addObject().put("type", "text").put("text", t.text());
                case PromptPart.Image img -> content.addObject().put("type", "image_url").putObject("image_url")
                        .put("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(png(img)));
            }
        }
        body.put("max_tokens", o.maxNewTokens());
        body.put("temperature", o.temperature());
        if (o.temperature() > 0) {
            body.put("top_p", o.topP());
            body.put("seed", o.seed());
        }
        if (o.logprobs()) {
            body.put("logprobs", true);
        }
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(resolve("chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long t1 = System.nanoTime();
        HttpResponse<String> r = send(req, "POST /chat/completions");
        long t2 = System.nanoTime();
        try {
            JsonNode json = JSON.readTree(r.body());
            JsonNode choice = json.path("choices").path(0);
            if (choice.isMissingNode() || !choice.path("message").path("content").isTextual()) {
                throw new EngineException(settings.endpoint() + ": POST /chat/completions answered " + r.statusCode()
                        + " without " + (choice.isMissingNode() ? "any choice" : "message content") + ": " + excerpt(r.body()), null);
            }
            String text = choice.path("message").path("content").asText();
            int completion = json.path("usage").path("completion_tokens").asInt(prompts.tokenizer().count(text));
            int served = json.path("usage").path("prompt_tokens").asInt(promptTokens);
            String finish = choice.path("finish_reason").asText("stop");
            if (o.listener() != null) {
                o.listener().onToken(-1, text);
            }
            float[] logprobs = o.logprobs() ? logprobs(choice) : null;
            return new GenerateResult(text, new int[0], logprobs, served, "length".equals(finish) ? "length" : "stop",
                    new GenerateResult.Timings(0, t2 - t0, 0, completion), identity, null);
        } catch (IOException e) {
            throw new EngineException(settings.endpoint() + ": unreadable chat completion: " + e.getMessage(), e);
        }
    }

    /**
     * The generated tokens' log-probabilities ({@code choices[0].logprobs.content[].logprob}), or null when the server
     * did not return them (not every OpenAI-compatible server does) or returned any of them unreadable.
     */
    static float[] logprobs(JsonNode choice) {
        JsonNode content = choice.path("logprobs").path("content");
        if (!content.isArray() || content.isEmpty()) {
            return null;
        }
        float[] out = new float[content.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode lp = content.get(i).path("logprob");
            if (!lp.isNumber()) {
                return null;
            }
            out[i] = lp.floatValue();
        }
        return out;
    }

    private HttpResponse<String> send(HttpRequest.Builder builder, String what) {
        builder.timeout(settings.timeout());
        if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
            builder.header("Authorization", "Bearer " + settings.apiKey());
        }
        HttpRequest request = builder.build();
        Duration delay = settings.backoff();
        String last = null;
        Exception cause = null;
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt > 0) {
                sleep(delay);
                delay = delay.multipliedBy(2);
            }
            try {
                inFlight.acquire();
                HttpResponse<String> r;
                try {
                    r = http.send(request, HttpResponse.BodyHandlers.ofString());
                } finally {
                    inFlight.release();
                }
                int s = r.statusCode();
                if (s / 100 == 2) {
                    return r;
                }
                last = "HTTP " + s + ": " + abbreviate(r.body());
                if (s != 429 && s / 100 != 5) {
                    throw new EngineException(settings.endpoint() + " " + what + " failed: " + last, null);
                }
                delay = retryAfter(r).orElse(delay);
            } catch (HttpTimeoutException e) {
                last = "timed out after " + settings.timeout().toSeconds() + " s";
                cause = e;
            } catch (IOException e) {
                last = e.toString();
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException(what + " interrupted", e);
            }
        }
        throw new EngineException(settings.endpoint() + " " + what + " failed after " + (settings.maxRetries() + 1)
                + " attempts: " + last, cause);
    }

    private static java.util.Optional<Duration> retryAfter(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Math.min(60, Long.parseLong(v.strip()))));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while backing off", e);
        }
    }

    private URI resolve(String path) {
        String base = settings.endpoint().toString();
        return URI.create(base.endsWith("/") ? base + path : base + "/" + path);
    }

    private static byte[] png(PromptPart.Image img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img.pixels(), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String s) {
        String one = s == null ? "" : s.replace('\n', ' ').strip();
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }

    @Override
    public TokenCosts costs() {
        int ctx = context;
        return new TokenCosts() {
            @Override
            public int contextLength() {
                return ctx;
            }

            @Override
            public int templateTokens(String system) {
                return prompts.templateTokens(system);
            }

            @Override
            public int imageTokens(int width, int height) {
                return prompts.imageTokens(width, height);
            }

            @Override
            public int imagePartTokens(int width, int height) {
                return prompts.imagePartTokens(width, height);
            }

            @Override
            public int imageAlignment() {
                return prompts.imageAlignment();
            }

            @Override
            public int textTokens(String text) {
                return prompts.textTokens(text);
            }
        };
    }

    @Override
    public ModelIdentity identity() {
        return identity;
    }

    @Override
    public void close() {
        http.close();
    }
}
