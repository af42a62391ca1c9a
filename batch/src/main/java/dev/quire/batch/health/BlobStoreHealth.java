package dev.quire.batch.health;

import dev.quire.storage.blob.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the blob store (folder or bucket) can be reached and written. */
@Readiness
@ApplicationScoped
public class BlobStoreHealth implements HealthCheck {
    private final BlobStore blobs;

    public BlobStoreHealth(BlobStore blobs) {
        this.blobs = blobs;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("blob store").withData("store", blobs.describe());
        try {
            blobs.check();
            return r.up().build();
        } catch (Exception e) {
            return r.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
