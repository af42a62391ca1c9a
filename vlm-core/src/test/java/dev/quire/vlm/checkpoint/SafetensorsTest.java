package dev.quire.vlm.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path tmp;

    @Test
    void writtenTensorsReadBackInEveryFloatingType() throws IOException {
        float[] v = {0f, 1f, -2.5f, 3.140625f, 65504f, 1e-3f};
        Path f = tmp.resolve("t.safetensors");
        new SafetensorsWriter()
                .add("a.f32", DType.F32, new long[] {2, 3}, v)
                .add("b.bf16", DType.BF16, new long[] {6}, v)
                .add("c.f16", DType.F16, new long[] {3, 2}, v)
                .metadata("format", "pt")
                .write(f);
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        assertTrue(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8).startsWith("{\"__metadata__\""));
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertArrayEquals(v, s.find("a.f32").toFloats());
            assertArrayEquals(new long[] {3, 2}, s.find("c.f16").shape());
            float[] bf = s.find("b.bf16").toFloats();
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], bf[i], Math.abs(v[i]) / 128 + 1e-5, "bf16 keeps 8 bits of mantissa");
            }
            float[] h = s.find("c.f16").toFloats();
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], h[i], Math.abs(v[i]) / 1024 + 1e-6);
            }
            assertEquals("pt", s.metadata().get("format"));
            assertTrue(s.find("a.f32").data().isMapped() || s.find("a.f32").data().isNative(), "weights are mapped, not heap");
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, DType.toBf16(1.0f));
        assertEquals((short) 0x3f80, DType.toBf16(Float.intBitsToFloat(0x3f808000)), "tie goes to even");
        assertEquals((short) 0x3f82, DType.toBf16(Float.intBitsToFloat(0x3f818000)), "tie goes to even (up)");
        assertEquals((short) 0x3f81, DType.toBf16(Float.intBitsToFloat(0x3f808001)));
    }

    @Test
    void corruptFilesAreErrorsNamingTheFileAndTensor() throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        new SafetensorsWriter().add("w", DType.F32, new long[] {4}, new float[4]).write(f);
        byte[] ok = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(ok, ok.length - 4));
        CheckpointError e = assertThrows(CheckpointError.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("bad.safetensors: tensor w: data range [0, 16) lies outside the file"), e.getMessage());

        String header = "{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put((byte) 0);
        Files.write(f, b.array());
        e = assertThrows(CheckpointError.class, () -> SafetensorsFile.open(f));
        assertEquals("bad.safetensors: tensor w: unknown dtype \"Q4\"", e.getMessage());

        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(assertThrows(CheckpointError.class, () -> SafetensorsFile.open(f)).getMessage().contains("too short"));
    }
}
