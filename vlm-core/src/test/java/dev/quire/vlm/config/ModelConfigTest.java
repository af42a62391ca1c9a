package dev.quire.vlm.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.image.ImageProcessorConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    static Path published() throws URISyntaxException {
        return Path.of(ModelConfigTest.class.getResource("/kimi-vl-a3b-instruct/config.json").toURI());
    }

    @Test
    void publishedKimiVlA3bConfigIsAcceptedAndCounts16_4BParametersWithoutWeights() throws Exception {
        ModelConfig c = ModelConfig.read(published());
        assertEquals(72, c.vision().headDim());
        assertEquals(4608, c.vision().mergedSize());
        assertEquals(0, c.text().qLoraRank(), "q_lora_rank null means a plain q_proj");
        assertEquals(576, c.text().latentCacheWidth());
        assertFalse(c.text().isMoeLayer(0));
        assertTrue(c.text().isMoeLayer(1));
        assertEquals(163605, c.mediaPlaceholderTokenId());
        ModelConfig.ParameterCount p = c.parameters();
        assertEquals(16_407_656_048L, p.total(), "the figure printed for Kimi-VL-A3B-Instruct by a reference loader");
        assertEquals(416_866_032L, p.vision());
        assertEquals(30_679_808L, p.projector());
        // active: dense layer 0 (82,973,184) + 26 MoE layers with 6 of 64 experts (83,104,320 each) + norm + LM head
        assertEquals(82_973_184L + 26 * 83_104_320L + 2048 + 163840L * 2048, p.activePerToken());
        // latent KV cache at 128K tokens in bf16: (512 + 64) × 27 layers × 2 bytes per token
        assertEquals(31_104L, (long) c.text().latentCacheWidth() * c.text().numLayers() * 2);
    }

    @Test
    void preprocessorConfigGivesTheGeometryAndClipNormalisation() throws Exception {
        ImageProcessorConfig p = ImageProcessorConfig.read(published().resolveSibling("preprocessor_config.json"));
        assertEquals(4096, p.geometry().inTokenLimit());
        assertEquals(28, p.geometry().alignWidth());
        assertArrayEquals(ImageProcessorConfig.CLIP_MEAN, p.mean());
    }

    @Test
    void missingOrWrongValuesAreClearErrorsNamingTheKey(@TempDir Path tmp) throws IOException, URISyntaxException {
        String json = Files.readString(published());
        Path broken = tmp.resolve("config.json");
        Files.writeString(broken, json.replace("\"kv_lora_rank\": 512,", ""));
        ConfigError e = assertThrows(ConfigError.class, () -> ModelConfig.read(broken));
        assertEquals("config.json.text_config: \"kv_lora_rank\" is missing or not an integer", e.getMessage());

        Files.writeString(broken, json.replace("\"model_type\": \"kimi_vl\"", "\"model_type\": \"llava\""));
        assertTrue(assertThrows(ConfigError.class, () -> ModelConfig.read(broken)).getMessage().contains("llava"));

        Files.writeString(broken, json.replace("\"num_experts_per_tok\": 6", "\"num_experts_per_tok\": 65"));
        assertTrue(assertThrows(ConfigError.class, () -> ModelConfig.read(broken)).getMessage().contains("num_experts_per_tok 65"));
    }

    @Test
    void denseVariantIsTheSameConfigWithZeroRoutedExperts(@TempDir Path tmp) throws Exception {
        String json = Files.readString(published()).replace("\"n_routed_experts\": 64", "\"n_routed_experts\": 0");
        Path dense = tmp.resolve("config.json");
        Files.writeString(dense, json);
        ModelConfig c = ModelConfig.read(dense);
        for (int i = 0; i < c.text().numLayers(); i++) {
            assertFalse(c.text().isMoeLayer(i));
        }
        ModelConfig.ParameterCount p = c.parameters();
        assertEquals(p.text() - 163840L * 2048, p.activePerToken(), "a dense decoder uses every weight but the embedding table");
    }
}
