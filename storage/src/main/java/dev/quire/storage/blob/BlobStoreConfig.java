package dev.quire.storage.blob;

import io.quarkus.arc.DefaultBean;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** {@code quire.storage.*}: where originals and page images live. */
@ConfigMapping(prefix = "quire.storage")
public interface BlobStoreConfig {

    /** Folder of the content-addressed blob store (originals and page PNGs). Default: {@code $QUIRE_HOME/blobs}. */
    @WithDefault("${quire.home}/blobs")
    Path blobs();

    /** Makes the one {@link BlobStore} of the application. */
    @ApplicationScoped
    class Beans {
        @Produces
        @Singleton
        @DefaultBean
        BlobStore blobStore(BlobStoreConfig config) {
            return new BlobStore(config.blobs());
        }
    }
}
