package dev.quire.batch.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.QuireConfig;
import dev.quire.vlm.config.ConfigError;
import dev.quire.vlm.image.ImageGeometry;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Pages are rendered for the configured model's preprocessor geometry; quire.render.* keys that are set win. */
class RenderGeometryTest {

    static QuireConfig.Render render(String... keyValues) {
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().withMapping(QuireConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200,
                        new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withDefaultValue("quire.home", "/tmp/quire-render-geometry-test");
        for (int i = 0; i < keyValues.length; i += 2) {
            b.withDefaultValue(keyValues[i], keyValues[i + 1]);
        }
        return b.build().getConfigMapping(QuireConfig.class).render();
    }

    static Path model(String preprocessorJson) throws IOException {
        Path dir = Files.createTempDirectory("quire-geometry-model");
        if (preprocessorJson != null) {
            Files.writeString(dir.resolve("preprocessor_config.json"), preprocessorJson);
        }
        return dir;
    }

    @Test
    void theModelsPreprocessorConfigSetsThePixelBudgetAndAlignment() throws IOException {
        Path dir = model("""
                {"patch_size": 16, "merge_kernel_size": [2, 2], "in_token_limit": 1024, "pad_input": true}""");
        RenderGeometry.Resolved r = RenderGeometry.resolve(dir, render());
        assertEquals(new ImageGeometry(16, 2, 2, 1024, true, 512), r.geometry());
        assertEquals(1024L * 16 * 16, r.settings().maxPixels(), "budget = in_token_limit × patch²");
        assertEquals(32, r.settings().alignWidth());
        assertEquals(32, r.settings().alignHeight());
        assertEquals("patch_size 16, merge_kernel_size 2x2, in_token_limit 1024 from " + dir.resolve("preprocessor_config.json"),
                r.source());
        assertEquals("patch_size=16 merge_kernel_size=2x2 in_token_limit=1024 pad_input=true", r.key());
        assertTrue(r.summary().contains("262,144 px per page, sides multiples of 32x32 px"), r.summary());

        Path kimi = model("""
                {"patch_size": 14, "merge_kernel_size": [2, 2], "in_token_limit": 4096}""");
        assertEquals(4096L * 14 * 14, RenderGeometry.resolve(kimi, render()).settings().maxPixels(),
                "another model's file gives another budget");
    }

    @Test
    void aMissingPreprocessorConfigIsAnErrorNamingTheFile() throws IOException {
        Path dir = model(null);
        ConfigError e = assertThrows(ConfigError.class, () -> RenderGeometry.resolve(dir, render()));
        assertTrue(e.getMessage().startsWith(dir.resolve("preprocessor_config.json") + " is missing"), e.getMessage());
    }

    @Test
    void aMissingKeyIsAnErrorNamingTheFileAndTheKey() throws IOException {
        Path dir = model("""
                {"patch_size": 14, "merge_kernel_size": [2, 2]}""");
        ConfigError e = assertThrows(ConfigError.class, () -> RenderGeometry.resolve(dir, render()));
        assertEquals(dir.resolve("preprocessor_config.json") + ": key in_token_limit is missing", e.getMessage());
        Path noPatch = model("""
                {"merge_kernel_size": [2, 2], "in_token_limit": 4096}""");
        e = assertThrows(ConfigError.class, () -> RenderGeometry.resolve(noPatch, render("quire.render.max-patches", "64")));
        assertEquals(noPatch.resolve("preprocessor_config.json") + ": key patch_size is missing", e.getMessage(),
                "an override of another key does not excuse a missing one");
    }

    @Test
    void anExplicitRenderKeyWinsOverTheModelAndTheSourceSaysSo() throws IOException {
        Path dir = model("""
                {"patch_size": 16, "merge_kernel_size": [2, 2], "in_token_limit": 1024}""");
        RenderGeometry.Resolved r = RenderGeometry.resolve(dir, render("quire.render.max-patches", "256",
                "quire.render.merge", "1"));
        assertEquals(new ImageGeometry(16, 1, 1, 256, true, 512), r.geometry());
        assertEquals(256L * 16 * 16, r.settings().maxPixels());
        assertEquals(16, r.settings().alignWidth());
        assertEquals("patch_size 16 from " + dir.resolve("preprocessor_config.json")
                + "; merge_kernel_size 1x1 from quire.render.merge (the model's is 2x2)"
                + "; in_token_limit 256 from quire.render.max-patches (the model's is 1024)", r.source());
    }
}
