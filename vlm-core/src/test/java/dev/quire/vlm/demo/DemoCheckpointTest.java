package dev.quire.vlm.demo;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.checkpoint.CheckpointError;
import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.checkpoint.SafetensorsFile;
import dev.quire.vlm.checkpoint.SafetensorsWriter;
import dev.quire.vlm.checkpoint.TensorData;
import dev.quire.vlm.model.WeightLayout;
import dev.quire.vlm.tokenizer.KimiTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void demoIsARealFormatCheckpointMadeOnceAndDeterministically() throws IOException {
        Path a = DemoCheckpoint.ensure(tmp.resolve("a"));
        Path b = tmp.resolve("b");
        DemoCheckpoint.write(b);
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
        long made = Files.getLastModifiedTime(a.resolve("model.safetensors")).toMillis();
        assertEquals(a, DemoCheckpoint.ensure(tmp.resolve("a")));
        assertEquals(made, Files.getLastModifiedTime(a.resolve("model.safetensors")).toMillis(), "made once");
        assertTrue(DemoCheckpoint.isDemo(a));
        try (Checkpoint c = Checkpoint.open(a)) {
            WeightLayout layout = WeightLayout.of(c.config());
            c.requireAll(layout);
            assertEquals(layout.tensors().size(), c.tensorCount());
            assertEquals(c.config().parameters().total(), layout.elements());
            KimiTokenizer tok = KimiTokenizer.load(a);
            assertEquals(c.config().mediaPlaceholderTokenId(), tok.requireSpecial("<|media_pad|>"));
            assertEquals(c.config().text().vocabSize(), tok.vocabSize());
            assertEquals(1f, c.tensor("language_model.model.norm.weight", 64).get(0));
        }
    }

    @Test
    void shardedCheckpointWithIndexLoadsThroughTheSameLoader() throws IOException {
        Path single = DemoCheckpoint.ensure(tmp);
        Path sharded = tmp.resolve("sharded");
        Files.createDirectories(sharded);
        for (String f : List.of("config.json", "preprocessor_config.json", "tiktoken.model", "tokenizer_config.json")) {
            Files.copy(single.resolve(f), sharded.resolve(f));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        try (SafetensorsFile src = SafetensorsFile.open(single.resolve("model.safetensors"))) {
            SafetensorsWriter one = new SafetensorsWriter();
            SafetensorsWriter two = new SafetensorsWriter();
            for (String name : src.names()) {
                TensorData t = src.find(name);
                boolean vision = !name.startsWith("language_model.");
                (vision ? one : two).add(name, DType.F32, t.shape(), t.toFloats());
                map.put(name, vision ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
            one.write(sharded.resolve("model-00001-of-00002.safetensors"));
            two.write(sharded.resolve("model-00002-of-00002.safetensors"));
        }
        json.writeValue(sharded.resolve(Checkpoint.INDEX).toFile(), index);
        try (Checkpoint c = Checkpoint.open(sharded); Checkpoint s = Checkpoint.open(single)) {
            c.requireAll(WeightLayout.of(c.config()));
            String name = "vision_tower.encoder.blocks.1.wqkv.weight";
            TensorData f32 = c.tensor(name, 96, 32);
            TensorData bf16 = s.tensor(name, 96, 32);
            assertEquals(DType.F32, f32.dtype());
            assertArrayEquals(bf16.toFloats(), f32.toFloats(), "bf16 values are exact in f32");
        }
        Files.delete(sharded.resolve("model-00002-of-00002.safetensors"));
        CheckpointError e = assertThrows(CheckpointError.class, () -> Checkpoint.open(sharded));
        assertTrue(e.getMessage().contains("lists shard model-00002-of-00002.safetensors, which is missing"), e.getMessage());
    }

    @Test
    void missingTensorsAndWrongShapesAreNamed() throws IOException {
        Path dir = DemoCheckpoint.ensure(tmp);
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        for (String f : List.of("config.json", "preprocessor_config.json", "tiktoken.model", "tokenizer_config.json")) {
            Files.copy(dir.resolve(f), broken.resolve(f));
        }
        try (SafetensorsFile src = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String name : src.names()) {
                TensorData t = src.find(name);
                if (name.equals("language_model.model.layers.2.mlp.experts.3.up_proj.weight")) {
                    continue;
                }
                long[] shape = name.equals("multi_modal_projector.linear_2.bias") ? new long[] {8, 8} : t.shape();
                w.add(name, t.dtype(), shape, t.toFloats());
            }
            w.write(broken.resolve("model.safetensors"));
        }
        try (Checkpoint c = Checkpoint.open(broken)) {
            CheckpointError e = assertThrows(CheckpointError.class, () -> c.requireAll(WeightLayout.of(c.config())));
            assertTrue(e.getMessage().startsWith("2 of "), e.getMessage());
            assertTrue(e.getMessage().contains("has no tensor language_model.model.layers.2.mlp.experts.3.up_proj.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("tensor multi_modal_projector.linear_2.bias in model.safetensors has shape [8, 8], the configuration needs [64]"), e.getMessage());
        }
    }

    @Test
    void processesMakingTheDemoAtOnceAllGetIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path models) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<java.nio.file.Path>> made = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                made.add(pool.submit(() -> DemoCheckpoint.ensure(models)));
            }
            for (java.util.concurrent.Future<java.nio.file.Path> f : made) {
                assertEquals(models.resolve("demo"), f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        // What they made together is the whole checkpoint: it opens, has every tensor, and equals one made alone.
        Path demo = models.resolve("demo");
        Path alone = tmp.resolve("alone");
        DemoCheckpoint.write(alone);
        assertArrayEquals(Files.readAllBytes(alone.resolve("model.safetensors")), Files.readAllBytes(demo.resolve("model.safetensors")));
        try (Checkpoint c = Checkpoint.open(demo)) {
            WeightLayout layout = WeightLayout.of(c.config());
            c.requireAll(layout);
            assertEquals(layout.tensors().size(), c.tensorCount());
        }
        assertEquals(DemoCheckpoint.ensure(tmp.resolve("a")).getFileName(), demo.getFileName());
        try (var files = Files.list(models)) {
            assertEquals(List.of(demo), files.toList(), "no temporary folders are left behind");
        }
    }
}
