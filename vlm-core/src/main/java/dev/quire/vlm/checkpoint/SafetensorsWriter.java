package dev.quire.vlm.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file in the published format (header padded with spaces to 8 bytes, tensors
 * in insertion order). Used to make the demo checkpoint and the tests' tiny checkpoints.
 */
public final class SafetensorsWriter {
    private record Entry(String name, DType dtype, long[] shape, float[] values) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter add(String name, DType dtype, long[] shape, float[] values) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape holds " + n + " elements, got " + values.length + " values");
        }
        entries.add(new Entry(name, dtype, shape.clone(), values));
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype().name());
            var shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            long bytes = (long) e.values().length * e.dtype().bytes;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = json.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(h, 0, headerBytes, 0, h.length);
        for (int i = h.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file); Arena arena = Arena.ofConfined()) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            var channel = Channels.newChannel(out);
            for (Entry e : entries) {
                MemorySegment seg = arena.allocate((long) e.values().length * e.dtype().bytes);
                for (int i = 0; i < e.values().length; i++) {
                    e.dtype().write(seg, i, e.values()[i]);
                }
                channel.write(seg.asByteBuffer());
            }
        }
    }
}
