package dev.quire.batch.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.storage.blob.LocalBlobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreHealthTest {
    @TempDir
    Path tmp;

    @Test
    void aStoreThatCannotBeCreatedIsNotReady() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a folder");
        HealthCheckResponse r = new BlobStoreHealth(new LocalBlobStore(file.resolve("blobs"))).call();
        assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
        assertTrue(r.getData().orElseThrow().get("store").toString().contains("a-file"));
        assertEquals(HealthCheckResponse.Status.UP, new BlobStoreHealth(new LocalBlobStore(tmp.resolve("ok"))).call().getStatus());
    }
}
