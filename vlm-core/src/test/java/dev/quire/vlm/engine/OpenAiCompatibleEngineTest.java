package dev.quire.vlm.engine;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quire.vlm.demo.DemoCheckpoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI-compatible engine against a local HTTP server that behaves like vLLM (and misbehaves on cue). */
class OpenAiCompatibleEngineTest {
    @TempDir
    static Path tmp;
    static PromptBuilder prompts;
    static final ObjectMapper JSON = new ObjectMapper();

    HttpServer server;
    final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile int failStatus = 503;
    volatile long delayMs;
    volatile int maxModelLen = 4096;
    volatile String servedId = "kimi-vl";
    volatile String completion;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peakInFlight = new AtomicInteger();

    @BeforeAll
    static void tokenizer() {
        prompts = PromptBuilder.open(DemoCheckpoint.ensure(tmp));
    }

    URI start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/v1/models", ex -> reply(ex, 200, "{\"data\":[{\"id\":\"" + servedId + "\",\"max_model_len\":" + maxModelLen + "}]}"));
        server.createContext("/v1/chat/completions", ex -> {
            int now = inFlight.incrementAndGet();
            // Leaves the in-flight count before the reply is sent: the client may start its next request as soon
            // as it has the reply, and that one must not overlap this one in the count.
            AtomicBoolean left = new AtomicBoolean();
            Runnable leave = () -> {
                if (left.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                }
            };
            peakInFlight.accumulateAndGet(now, Math::max);
            try {
                JsonNode body = JSON.readTree(ex.getRequestBody());
                requests.add(body);
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
                if (failuresLeft.getAndDecrement() > 0) {
                    ex.getResponseHeaders().add("Retry-After", "0");
                    leave.run();
                    reply(ex, failStatus, "{\"error\":\"busy\"}");
                    return;
                }
                if (!"Bearer secret".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    leave.run();
                    reply(ex, 401, "{\"error\":\"no key\"}");
                    return;
                }
                if (completion != null) {
                    leave.run();
                    reply(ex, 200, completion);
                    return;
                }
                leave.run();
                reply(ex, 200, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Answer: 42\\nEvidence pages: 2\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":77,\"completion_tokens\":9}}");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                leave.run();
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    OpenAiCompatibleEngine engine(URI uri, Duration timeout, int retries, int concurrency) {
        return new OpenAiCompatibleEngine(new OpenAiCompatibleEngine.Settings(uri, "kimi-vl", "secret", timeout, retries,
                Duration.ofMillis(10), concurrency), prompts, "fp");
    }

    static GenerateRequest request(int maxNew) {
        BufferedImage a = new BufferedImage(56, 28, BufferedImage.TYPE_INT_RGB);
        a.setRGB(3, 4, 0xff0000);
        return new GenerateRequest("Be brief.", List.of(PromptPart.text("Page 1:"), PromptPart.image(a),
                PromptPart.text("Page 2:"), PromptPart.image(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB)),
                PromptPart.text("Question?")), GenerationOptions.greedy(maxNew));
    }

    @Test
    void sendsAMultiImageChatWithDataUrlsAndReadsTheAnswer() throws Exception {
        try (OpenAiCompatibleEngine e = engine(start(), Duration.ofSeconds(5), 0, 2)) {
            assertEquals(4096, e.contextLength(), "the server's max_model_len is smaller than the checkpoint's");
            GenerateResult r = e.generate(request(16));
            assertEquals("Answer: 42\nEvidence pages: 2", r.text());
            assertEquals(77, r.promptTokens());
            assertEquals("openai-compatible", r.model().engine());
            JsonNode body = requests.getFirst();
            assertEquals("kimi-vl", body.get("model").asText());
            assertEquals(16, body.get("max_tokens").asInt());
            assertEquals("system", body.get("messages").get(0).get("role").asText());
            JsonNode content = body.get("messages").get(1).get("content");
            assertEquals(5, content.size());
            assertEquals("Page 1:", content.get(0).get("text").asText());
            String url = content.get(1).get("image_url").get("url").asText();
            assertTrue(url.startsWith("data:image/png;base64,"));
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(22))));
            assertEquals(56, back.getWidth());
            assertEquals(0xff0000, back.getRGB(3, 4) & 0xffffff, "the image arrives pixel for pixel");
            assertEquals("Question?", content.get(4).get("text").asText());
        }
    }

    @Test
    void aRequestWithoutSystemTextSendsTheTemplatesDefaultSystemTurnItCountedTokensFor() throws Exception {
        try (OpenAiCompatibleEngine e = engine(start(), Duration.ofSeconds(5), 0, 2)) {
            GenerateRequest none = new GenerateRequest(null, request(16).parts(), GenerationOptions.greedy(16));
            e.generate(none);
            JsonNode first = requests.getLast().get("messages").get(0);
            assertEquals("system", first.get("role").asText());
            assertEquals("You are a helpful assistant", first.get("content").asText(),
                    "a server applies the template itself: it must get the same system turn the token counts assume");
            assertEquals(e.costs().templateTokens("You are a helpful assistant"), e.costs().templateTokens(null),
                    "the planner counts the default system turn the server will apply");
        }
    }

    @Test
    void retriesBusyAndFailingServersWithBackoffThenGivesUpClearly() throws Exception {
        URI uri = start();
        try (OpenAiCompatibleEngine e = engine(uri, Duration.ofSeconds(5), 3, 2)) {
            failuresLeft.set(2);
            failStatus = 429;
            assertEquals("Answer: 42\nEvidence pages: 2", e.generate(request(8)).text());
            assertEquals(3, requests.size(), "two 429s, then success");
            failuresLeft.set(10);
            failStatus = 503;
            OpenAiCompatibleEngine.EngineException x = assertThrows(OpenAiCompatibleEngine.EngineException.class,
                    () -> e.generate(request(8)));
            assertTrue(x.getMessage().contains("failed after 4 attempts: HTTP 503"), x.getMessage());
            failuresLeft.set(1);
            failStatus = 400;
            x = assertThrows(OpenAiCompatibleEngine.EngineException.class, () -> e.generate(request(8)));
            assertTrue(x.getMessage().contains("HTTP 400"), "client errors are not retried: " + x.getMessage());
        }
    }

    @Test
    void logprobsAreRequestedWhenAskedForAndReadWhereTheServerReturnsThem() throws Exception {
        try (OpenAiCompatibleEngine e = engine(start(), Duration.ofSeconds(5), 0, 1)) {
            GenerateRequest plain = request(16);
            GenerateRequest withLogprobs = new GenerateRequest(plain.system(), plain.parts(),
                    GenerationOptions.greedy(16).withLogprobs(true, false));
            // a server that does not return them (the default reply here has no logprobs): no values, no error
            GenerateResult none = e.generate(withLogprobs);
            assertTrue(requests.getLast().get("logprobs").asBoolean(), "asked for: " + requests.getLast());
            assertNull(none.logprobs());
            assertEquals("Answer: 42\nEvidence pages: 2", none.text());
            // vLLM's shape: one entry per generated token
            completion = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Answer: 42\"},"
                    + "\"logprobs\":{\"content\":[{\"token\":\"Answer\",\"logprob\":-0.01,\"bytes\":[65],\"top_logprobs\":[]},"
                    + "{\"token\":\":\",\"logprob\":-0.25},{\"token\":\" 42\",\"logprob\":-2.5}]},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":77,\"completion_tokens\":3}}";
            GenerateResult some = e.generate(withLogprobs);
            assertArrayEquals(new float[]{-0.01f, -0.25f, -2.5f}, some.logprobs(), 1e-6f);
            // not asked for: not requested, and not read even when a server sends them
            GenerateResult unasked = e.generate(plain);
            assertFalse(requests.getLast().has("logprobs"), requests.getLast().toString());
            assertNull(unasked.logprobs());
            // an entry without a number is not a log-probability: none rather than a wrong mean
            completion = completion.replace("\"logprob\":-0.25", "\"logprob\":null");
            assertNull(e.generate(withLogprobs).logprobs());
        }
    }

    @Test
    void aCompletionWithoutChoicesIsAFailureThatQuotesTheServer() throws Exception {
        URI uri = start();
        try (OpenAiCompatibleEngine e = engine(uri, Duration.ofSeconds(5), 0, 1)) {
            completion = "{\"object\":\"error\",\"message\":\"The model is overloaded, try later\",\"choices\":[]}";
            OpenAiCompatibleEngine.EngineException x = assertThrows(OpenAiCompatibleEngine.EngineException.class,
                    () -> e.generate(request(8)));
            assertTrue(x.getMessage().contains("answered 200 without any choice"), x.getMessage());
            assertTrue(x.getMessage().contains("The model is overloaded, try later"), "the server's words: " + x.getMessage());
            completion = "{\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\"}}]}";
            x = assertThrows(OpenAiCompatibleEngine.EngineException.class, () -> e.generate(request(8)));
            assertTrue(x.getMessage().contains("without message content"), x.getMessage());
        }
    }

    @Test
    void aServerThatDoesNotServeTheModelIsRefusedWithTheModelsItLists() throws Exception {
        servedId = "llava-next";
        URI uri = start();
        OpenAiCompatibleEngine.EngineException x = assertThrows(OpenAiCompatibleEngine.EngineException.class,
                () -> engine(uri, Duration.ofSeconds(5), 0, 1));
        assertTrue(x.getMessage().contains("does not serve model 'kimi-vl': GET /models lists llava-next"), x.getMessage());
        assertTrue(x.getMessage().contains("quire.vlm.served-model"), x.getMessage());
    }

    @Test
    void timesOutAndRefusesPromptsLargerThanTheServersContext() throws Exception {
        URI uri = start();
        // A timeout a loaded machine still meets for GET /models, and a reply far slower than it.
        try (OpenAiCompatibleEngine e = engine(uri, Duration.ofMillis(2000), 1, 2)) {
            delayMs = 8000;
            OpenAiCompatibleEngine.EngineException x = assertThrows(OpenAiCompatibleEngine.EngineException.class,
                    () -> e.generate(request(8)));
            assertTrue(x.getMessage().contains("timed out"), x.getMessage());
            delayMs = 0;
            int before = requests.size();
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> e.generate(request(4090)));
            assertTrue(big.getMessage().contains("exceeds the context of kimi-vl"), big.getMessage());
            assertEquals(before, requests.size(), "nothing is sent that cannot fit");
        }
    }

    @Test
    void neverHasMoreRequestsInFlightThanItsConcurrencyLimit() throws Exception {
        URI uri = start();
        delayMs = 150;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (OpenAiCompatibleEngine e = engine(uri, Duration.ofSeconds(10), 0, 2)) {
            List<Future<GenerateResult>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(pool.submit(() -> e.generate(request(8))));
            }
            for (Future<GenerateResult> f : all) {
                assertNotNull(f.get().text());
            }
            assertEquals(2, peakInFlight.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
