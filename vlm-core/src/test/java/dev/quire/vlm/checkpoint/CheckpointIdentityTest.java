package dev.quire.vlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.vlm.demo.DemoCheckpoint;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model identity names the weights themselves, and a checkpoint's weights are read to hash them only once. */
class CheckpointIdentityTest {
    @TempDir
    Path tmp;

    /** The float at element 0 of {@code tensor} in {@code dir}'s model.safetensors, overwritten in place. */
    static void changeOneWeight(Path dir, String tensor) throws IOException {
        Path file = dir.resolve("model.safetensors");
        long offset;
        float old;
        try (Checkpoint ck = Checkpoint.open(dir)) {
            TensorData t = ck.tensor(tensor, ck.config().text().hiddenSize());
            old = t.get(0);
            offset = t.data().address() - baseAddress(ck, t);
        }
        byte[] bf16 = new byte[2];
        short bits = DType.toBf16(old + 0.25f);
        bf16[0] = (byte) bits;
        bf16[1] = (byte) (bits >> 8);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bf16);
        }
    }

    /** The mapped address of byte 0 of the tensor's file (the tensor's slice is inside that mapping). */
    private static long baseAddress(Checkpoint ck, TensorData t) throws IOException {
        // the tensor's byte offset in the file = header length prefix + header + offset inside the data section,
        // read here from the safetensors header itself (independent of the mapping)
        byte[] head = Files.readAllBytes(t.file());
        long headerLen = java.nio.ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String json = new String(head, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.JsonNode offsets = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
                .path(t.name()).path("data_offsets");
        long fileOffset = 8 + headerLen + offsets.get(0).asLong();
        return t.data().address() - fileOffset;
    }

    @Test
    void twoCheckpointsDifferingInOneWeightValueHaveDifferentIdentities() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        DemoCheckpoint.write(a, DemoCheckpoint.DEMO, false);
        DemoCheckpoint.write(b, DemoCheckpoint.DEMO, false);
        String ida;
        String idb;
        try (Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b)) {
            ida = ca.fingerprint(WeightDigests.uncached());
            idb = cb.fingerprint(WeightDigests.uncached());
        }
        assertEquals(ida, idb, "the same files make the same identity wherever they are");
        changeOneWeight(b, "language_model.model.norm.weight");
        assertEquals(Files.size(a.resolve("model.safetensors")), Files.size(b.resolve("model.safetensors")));
        assertEquals(Checkpoint.configFingerprint(a), Checkpoint.configFingerprint(b), "same configuration and tokenizer");
        try (Checkpoint cb = Checkpoint.open(b)) {
            assertNotEquals(1.0f, cb.tensor("language_model.model.norm.weight", cb.config().text().hiddenSize()).get(0),
                    "the weight really changed");
            assertNotEquals(ida, cb.fingerprint(WeightDigests.uncached()), "one weight value differs: another model");
        }
    }

    @Test
    void aSecondStartTakesTheDigestFromTheCacheWithoutReadingTheWeights() throws IOException {
        Path dir = tmp.resolve("ck");
        DemoCheckpoint.write(dir, DemoCheckpoint.DEMO, false);
        Path cache = tmp.resolve("home/cache/weight-digests");
        long weightBytes = Files.size(dir.resolve("model.safetensors"));
        List<Long> progress = new ArrayList<>();

        WeightDigests first = new WeightDigests(cache, (f, done, total) -> progress.add(done));
        String id1;
        try (Checkpoint ck = Checkpoint.open(dir)) {
            id1 = ck.fingerprint(first);
        }
        assertEquals(weightBytes, first.bytesRead(), "the first start reads every weight byte once");
        assertEquals(0L, progress.getFirst(), "progress starts at 0");
        assertEquals(weightBytes, progress.getLast(), "and ends at the file's size");

        WeightDigests second = new WeightDigests(cache, (f, done, total) -> progress.add(-1L));
        int before = progress.size();
        try (Checkpoint ck = Checkpoint.open(dir)) {
            assertEquals(id1, ck.fingerprint(second));
        }
        assertEquals(0, second.bytesRead(), "a second start reads no weight bytes to hash them");
        assertEquals(before, progress.size(), "and shows no hashing progress");

        // A file changed in place (new modification time) is hashed again, and its new identity differs.
        changeOneWeight(dir, "language_model.model.norm.weight");
        Files.setLastModifiedTime(dir.resolve("model.safetensors"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        WeightDigests third = new WeightDigests(cache, null);
        try (Checkpoint ck = Checkpoint.open(dir)) {
            assertNotEquals(id1, ck.fingerprint(third));
        }
        assertEquals(weightBytes, third.bytesRead());
        assertTrue(Files.list(cache).count() >= 2, "one cache entry per file version");
    }
}
