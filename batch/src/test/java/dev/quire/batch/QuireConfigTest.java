package dev.quire.batch;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.ingestion.IngestLimits;
import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.render.RenderSettings;
import dev.quire.vlm.engine.GenerationOptions;
import dev.quire.vlm.image.ImageGeometry;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Each quire.* default is written once: application.properties repeats none, and unset keys fall back to the libraries'. */
class QuireConfigTest {

    static QuireConfig bare() {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(QuireConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200,
                        new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withDefaultValue("quire.home", "/tmp/quire-config-test").build();
        return c.getConfigMapping(QuireConfig.class);
    }

    @Test
    void applicationPropertiesSetsNoQuireKeyOutsideTestProfiles() throws IOException {
        Properties p = new Properties();
        try (InputStream in = QuireConfig.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        List<String> repeated = p.stringPropertyNames().stream().filter(k -> k.startsWith("quire.")).sorted().toList();
        assertEquals(List.of(), repeated, "defaults belong to QuireConfig or the library records, not to application.properties");
    }

    @Test
    void unsetKeysMeanTheLibraryDefaults() {
        QuireConfig c = bare();
        assertEquals(PlanSettings.defaults(), c.plan().settings());
        // the rendering geometry is the model's own when no quire.render.* key is set
        ImageGeometry model = new ImageGeometry(16, 2, 2, 1024, true, 512);
        assertEquals(model, c.render().geometry(model));
        assertEquals(RenderSettings.forEncoder(model, RenderSettings.DEFAULT_PAGE_TIMEOUT,
                RenderSettings.DEFAULT_MAIN_MEMORY_BYTES), c.render().settings(model));
        assertEquals(RenderSettings.moonVitDefaults(), c.render().settings(ImageGeometry.kimiVlInstruct()));
        assertEquals(IngestLimits.defaults(RenderSettings.DEFAULT_MAIN_MEMORY_BYTES),
                c.ingest().limits(c.render().effectiveMainMemoryBytes()));
        assertEquals(GenerationOptions.DEFAULT_PREFILL_CHUNK, c.vlm().effectivePrefillChunk());
        assertEquals(dev.quire.vlm.engine.CacheBudgets.DEFAULT, c.vlm().cacheBudgets());
    }

    @Test
    void setKeysOverrideTheDefaults() {
        SmallRyeConfig sc = new SmallRyeConfigBuilder().withMapping(QuireConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200,
                        new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withDefaultValue("quire.home", "/tmp/x").withDefaultValue("quire.plan.answer-tokens", "64")
                .withDefaultValue("quire.render.max-patches", "1024")
                .withDefaultValue("quire.vlm.vision-cache-bytes", "0").withDefaultValue("quire.vlm.prefix-cache-bytes", "64M")
                .build();
        QuireConfig c = sc.getConfigMapping(QuireConfig.class);
        assertEquals(PlanSettings.defaults().withAnswerTokens(64), c.plan().settings());
        assertEquals(1024 * 16 * 16, c.render().settings(new ImageGeometry(16, 2, 2, 2048, true, 512)).maxPixels(),
                "an explicit quire.render.max-patches wins over the model's in_token_limit");
        assertEquals(new dev.quire.vlm.engine.CacheBudgets(0, 64L << 20), c.vlm().cacheBudgets());
    }
}
