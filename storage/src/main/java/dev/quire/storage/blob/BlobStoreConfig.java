package dev.quire.storage.blob;

import io.quarkus.arc.DefaultBean;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/** {@code quire.storage.*}: where originals and page images live on one machine. */
@ConfigMapping(prefix = "quire.storage")
public interface BlobStoreConfig {

    /** Folder of the content-addressed blob store (originals and page PNGs). Default: {@code $QUIRE_HOME/blobs}. */
    @WithDefault("${quire.home}/blobs")
    Path blobs();

    /** {@code quire.blobs.s3.*}: S3-compatible object storage for blobs; used instead of the folder when a bucket is set. */
    @ConfigMapping(prefix = "quire.blobs.s3")
    interface S3 {
        /** Bucket; unset = blobs stay in the local folder ({@code quire.storage.blobs}). */
        Optional<String> bucket();

        /** Endpoint of an S3-compatible server ({@code http://minio:9000}); unset = AWS S3 of the region. */
        Optional<URI> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Path-style requests ({@code endpoint/bucket/key}), as MinIO and most S3-compatible servers want. */
        @WithName("path-style")
        @WithDefault("false")
        boolean pathStyle();

        /** Key prefix inside the bucket. */
        @WithDefault("blobs")
        String prefix();

        /** Attempts per request (first try included) before an error is raised; exponential backoff between them. */
        @WithName("max-attempts")
        @WithDefault("4")
        int maxAttempts();

        /** Connection and socket timeout of one request. */
        @WithDefault("60s")
        Duration timeout();

        /** Create the bucket on start when it does not exist (a fresh local S3-compatible server). */
        @WithName("create-bucket")
        @WithDefault("false")
        boolean createBucket();

        default Optional<S3BlobStore.Settings> settings() {
            return bucket().filter(b -> !b.isBlank()).map(b -> new S3BlobStore.Settings(endpoint(), b, region(),
                    pathStyle(), prefix(), maxAttempts(), timeout()));
        }
    }

    /** Makes the one {@link BlobStore} of the application: S3 when a bucket is configured, else the folder. */
    @ApplicationScoped
    class Beans {
        private static final Logger LOG = Logger.getLogger(BlobStoreConfig.class);

        @Produces
        @Singleton
        @DefaultBean
        BlobStore blobStore(BlobStoreConfig config, S3 s3) {
            BlobStore store = s3.settings().<BlobStore>map(settings -> {
                S3BlobStore bucket = new S3BlobStore(settings);
                if (s3.createBucket()) {
                    bucket.createBucketIfMissing();
                }
                return bucket;
            }).orElseGet(() -> new LocalBlobStore(config.blobs()));
            LOG.debugf("blob store: %s", store.describe());
            return store;
        }

        void close(@Disposes BlobStore store) {
            if (store instanceof S3BlobStore s) {
                s.close();
            }
        }
    }
}
