package dev.quire.vlm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.image.ImageProcessorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint folder in the Hugging Face layout: {@code config.json}, {@code preprocessor_config.json},
 * tokenizer files, and weights as one {@code model.safetensors} or shards listed by
 * {@code model.safetensors.index.json}. Shards are memory-mapped on open and unmapped on close.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String INDEX = "model.safetensors.index.json";
    private final Path dir;
    private final ModelConfig config;
    private final ImageProcessorConfig processor;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> byTensor;

    private Checkpoint(Path dir, ModelConfig config, ImageProcessorConfig processor, List<SafetensorsFile> shards,
                       Map<String, SafetensorsFile> byTensor) {
        this.dir = dir;
        this.config = config;
        this.processor = processor;
        this.shards = shards;
        this.byTensor = byTensor;
    }

    /** Reads the configuration only (no weights are mapped): for inspecting a checkpoint. */
    public static ModelConfig readConfig(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new CheckpointError(dir + " is not a checkpoint folder: config.json is missing");
        }
        return ModelConfig.read(config);
    }

    public static Checkpoint open(Path dir) {
        ModelConfig config = readConfig(dir);
        ImageProcessorConfig processor = ImageProcessorConfig.read(dir.resolve("preprocessor_config.json"));
        List<Path> files = shardFiles(dir);
        List<SafetensorsFile> shards = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Path f : files) {
                SafetensorsFile s = SafetensorsFile.open(f);
                shards.add(s);
                for (String name : s.names()) {
                    SafetensorsFile before = byTensor.putIfAbsent(name, s);
                    if (before != null) {
                        throw new CheckpointError("tensor " + name + " is in both " + before.file().getFileName()
                                + " and " + f.getFileName());
                    }
                }
            }
            checkIndex(dir, byTensor);
        } catch (RuntimeException e) {
            shards.forEach(SafetensorsFile::close);
            throw e;
        }
        return new Checkpoint(dir, config, processor, shards, byTensor);
    }

    private static List<Path> shardFiles(Path dir) {
        Path index = dir.resolve(INDEX);
        try {
            if (Files.isRegularFile(index)) {
                JsonNode map = new ObjectMapper().readTree(Files.readString(index)).path("weight_map");
                if (!map.isObject()) {
                    throw new CheckpointError(index + ": \"weight_map\" is missing");
                }
                List<Path> files = new ArrayList<>();
                map.fields().forEachRemaining(e -> {
                    Path f = dir.resolve(e.getValue().asText());
                    if (!files.contains(f)) {
                        files.add(f);
                    }
                });
                for (Path f : files) {
                    if (!Files.isRegularFile(f)) {
                        throw new CheckpointError(index + " lists shard " + f.getFileName() + ", which is missing");
                    }
                }
                return files;
            }
            Path single = dir.resolve("model.safetensors");
            if (Files.isRegularFile(single)) {
                return List.of(single);
            }
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> any = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
                if (any.isEmpty()) {
                    throw new CheckpointError(dir + " holds no weights (model.safetensors, " + INDEX + " or *.safetensors)");
                }
                return any;
            }
        } catch (IOException e) {
            throw new CheckpointError(dir + ": cannot list the weights: " + e.getMessage(), e);
        }
    }

    private static void checkIndex(Path dir, Map<String, SafetensorsFile> byTensor) {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            return;
        }
        try {
            new ObjectMapper().readTree(Files.readString(index)).path("weight_map").fields().forEachRemaining(e -> {
                SafetensorsFile holder = byTensor.get(e.getKey());
                if (holder == null || !holder.file().getFileName().toString().equals(e.getValue().asText())) {
                    throw new CheckpointError(INDEX + " says " + e.getKey() + " is in " + e.getValue().asText()
                            + (holder == null ? ", but no shard holds it" : ", but it is in " + holder.file().getFileName()));
                }
            });
        } catch (IOException e) {
            throw new CheckpointError(index + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public ImageProcessorConfig processor() {
        return processor;
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    /** The tensor with this name and exactly this shape, in a floating dtype; otherwise an error naming both. */
    public TensorData tensor(String name, long... shape) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new CheckpointError("checkpoint " + dir + " has no tensor " + name
                    + " (the configuration needs it with shape " + java.util.Arrays.toString(shape) + ")");
        }
        TensorData t = f.find(name);
        if (!t.dtype().isFloating() || t.dtype() == DType.F64) {
            throw new CheckpointError("tensor " + name + " in " + f.file().getFileName() + " is " + t.dtype()
                    + "; weights must be BF16, F16 or F32");
        }
        return t.expectShape(shape);
    }

    /**
     * Checks that every tensor of {@code layout} is present with its shape and a weight dtype.
     *
     * @throws CheckpointError listing every problem (the first 20), each naming the tensor and its file
     */
    public void requireAll(dev.quire.vlm.model.WeightLayout layout) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (dev.quire.vlm.model.WeightLayout.TensorSpec spec : layout.tensors()) {
            try {
                tensor(spec.name(), spec.shape());
            } catch (CheckpointError e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointError(problems.size() + " of " + layout.tensors().size() + " weights are unusable in " + dir
                    + ":\n  " + String.join("\n  ", problems.subList(0, Math.min(20, problems.size())))
                    + (problems.size() > 20 ? "\n  …" : ""));
        }
    }

    /**
     * The model's identity: SHA-256 over its configuration and tokenizer files ({@link #configFingerprint}) and, for
     * each weight file this checkpoint uses (in name order), its name, size and the SHA-256 of all its bytes. Two
     * checkpoints with the same layout and different weights (a fine-tune, another release) differ. The weight
     * digests come from {@code digests}, which reads each file once and caches the result.
     */
    public String fingerprint(WeightDigests digests) {
        MessageDigest md = WeightDigests.sha256();
        md.update("quire-checkpoint-v2\n".getBytes(StandardCharsets.UTF_8));
        md.update(configFingerprint(dir).getBytes(StandardCharsets.UTF_8));
        for (SafetensorsFile s : shards.stream()
                .sorted(Comparator.comparing(f -> f.file().getFileName().toString())).toList()) {
            md.update(("\n" + s.file().getFileName() + "\n" + s.size() + "\n" + digests.digest(s.file()))
                    .getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * SHA-256 over the configuration and tokenizer files only: identifies a model whose weights live elsewhere
     * (a model served remotely, known here by its config and tokenizer).
     */
    public static String configFingerprint(Path dir) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String name : List.of("config.json", "preprocessor_config.json", "tokenizer_config.json", "tiktoken.model")) {
                Path f = dir.resolve(name);
                if (Files.isRegularFile(f)) {
                    md.update(name.getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(f));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new CheckpointError(dir + ": cannot fingerprint the configuration: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public int tensorCount() {
        return byTensor.size();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
