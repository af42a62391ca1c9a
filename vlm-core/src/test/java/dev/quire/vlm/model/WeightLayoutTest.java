package dev.quire.vlm.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.config.ModelConfig;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class WeightLayoutTest {
    @Test
    void publishedConfigListsTheCheckpointsTensorsAndItsParameterCount() throws Exception {
        ModelConfig c = ModelConfig.read(Path.of(getClass().getResource("/kimi-vl-a3b-instruct/config.json").toURI()));
        WeightLayout layout = WeightLayout.of(c);
        assertEquals(5679 - 27, layout.tensors().size(), "the published 5679 tensors minus 27 rotary inv_freq buffers");
        assertEquals(c.parameters().total(), layout.elements(), "the layout and the parameter formula agree");
        assertEquals(layout.tensors().size(), new HashSet<>(layout.tensors().stream().map(WeightLayout.TensorSpec::name).toList()).size());
        WeightLayout.TensorSpec kvb = layout.tensors().stream()
                .filter(t -> t.name().equals("language_model.model.layers.5.self_attn.kv_b_proj.weight")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {4096, 512}, kvb.shape());
        assertTrue(layout.tensors().stream().anyMatch(t -> t.name().equals("language_model.model.layers.26.mlp.experts.63.down_proj.weight")));
        assertTrue(layout.tensors().stream().anyMatch(t -> t.name().equals("language_model.model.layers.0.mlp.gate_proj.weight")));
    }
}
