package dev.quire.vlm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped {@code .safetensors} file: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the data. The whole file is mapped read-only (no 2 GiB limit);
 * tensors are slices of the mapping, so weights never pass through the Java heap. Closing unmaps it.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER = 100L << 20;
    private final Path file;
    private final Arena arena;
    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;
    private final MemorySegment header; // length prefix + JSON header, as mapped

    private SafetensorsFile(Path file, Arena arena, Map<String, TensorData> tensors, Map<String, String> metadata,
                            MemorySegment header) {
        this.file = file;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
        this.header = header;
    }

    public static SafetensorsFile open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointError(file + ": " + size + " bytes is too short for a safetensors file");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new CheckpointError(file + ": header length " + headerLen + " does not fit a " + size + "-byte file");
            }
            byte[] header = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            JsonNode root = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
            long base = 8 + headerLen;
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), tensor(file, all, base, size, e.getKey(), e.getValue()));
            }
            return new SafetensorsFile(file, arena, Collections.unmodifiableMap(tensors), metadata, all.asSlice(0, base));
        } catch (IOException e) {
            arena.close();
            throw new CheckpointError(file + ": cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static TensorData tensor(Path file, MemorySegment all, long base, long size, String name, JsonNode n) {
        String where = file.getFileName() + ": tensor " + name;
        DType dtype = DType.parse(n.path("dtype").asText(), where);
        JsonNode shapeNode = n.path("shape");
        JsonNode offsets = n.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointError(where + ": header entry needs \"shape\" and two \"data_offsets\"");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            if (shape[i] < 0) {
                throw new CheckpointError(where + ": negative dimension " + shape[i]);
            }
            elements = Math.multiplyExact(elements, shape[i]);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || base + end > size) {
            throw new CheckpointError(where + ": data range [" + begin + ", " + end + ") lies outside the file");
        }
        if (end - begin != elements * dtype.bytes) {
            throw new CheckpointError(where + ": " + (end - begin) + " bytes of data for " + elements + " " + dtype
                    + " elements (" + elements * dtype.bytes + " bytes expected)");
        }
        return new TensorData(name, dtype, shape, all.asSlice(base + begin, end - begin), file);
    }

    public Path file() {
        return file;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The 8-byte length prefix and the JSON header: what the file holds and where, without the data. */
    public MemorySegment header() {
        return header;
    }

    /** Size of the whole file in bytes. */
    public long size() {
        try {
            return java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new CheckpointError(file + ": " + e.getMessage(), e);
        }
    }

    /** The tensor, or null when this file does not hold it. */
    public TensorData find(String name) {
        return tensors.get(name);
    }

    @Override
    public void close() {
        arena.close();
    }
}
