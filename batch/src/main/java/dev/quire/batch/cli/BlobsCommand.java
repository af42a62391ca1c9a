package dev.quire.batch.cli;

import dev.quire.storage.blob.BlobMigration;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.blob.BlobStoreConfig;
import dev.quire.storage.blob.LocalBlobStore;
import dev.quire.storage.blob.S3BlobStore;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "blobs", mixinStandardHelpOptions = true,
        description = "The blob store (originals and page images).",
        subcommands = {BlobsCommand.Migrate.class, BlobsCommand.Where.class})
public class BlobsCommand {

    @Command(name = "where", mixinStandardHelpOptions = true, description = "Prints which blob store is configured and checks it.")
    static class Where implements Callable<Integer> {
        private final BlobStore store;

        Where(BlobStore store) {
            this.store = store;
        }

        @Override
        public Integer call() {
            System.out.println("blob store: " + store.describe());
            try {
                store.check();
                System.out.println("reachable and writable");
                return 0;
            } catch (Exception e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Copies a local blob folder to the configured S3 bucket (quire.blobs.s3.*) and verifies every blob:",
                    "each local file must hash to its name (a damaged one is reported and not copied), and each copy is",
                    "read back from the bucket and hashed. Blobs already in the bucket are verified, not sent again, so it",
                    "can be re-run. Exit 0 when every blob is in the bucket and verified, 1 otherwise."})
    static class Migrate implements Callable<Integer> {
        @Option(names = "--from", description = "local blob folder (default: quire.storage.blobs, $QUIRE_HOME/blobs)")
        Path from;

        private final BlobStoreConfig config;
        private final BlobStoreConfig.S3 s3;

        Migrate(BlobStoreConfig config, BlobStoreConfig.S3 s3) {
            this.config = config;
            this.s3 = s3;
        }

        @Override
        public Integer call() throws Exception {
            var settings = s3.settings();
            if (settings.isEmpty()) {
                System.err.println("quire blobs migrate: no S3 bucket is configured: set quire.blobs.s3.bucket (QUIRE_BLOBS_S3_BUCKET), "
                        + "quire.blobs.s3.endpoint for an S3-compatible server, and credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
                return 2;
            }
            LocalBlobStore local = new LocalBlobStore(from != null ? from : config.blobs());
            try (S3BlobStore target = new S3BlobStore(settings.get())) {
                target.check();
                System.out.println("migrating " + local.describe() + " -> " + target.describe());
                BlobMigration.Report r = BlobMigration.migrate(local, target, step -> {
                    if (!step.outcome().endsWith("verified") || step.index() % 100 == 0 || step.index() == step.total()) {
                        System.out.printf(Locale.ROOT, "[%d/%d] %s %s%n", step.index(), step.total(), step.sha256(), step.outcome());
                    }
                });
                System.out.printf(Locale.ROOT, "%d blobs: %d copied, %d already there, all verified by SHA-256; %d problems%n",
                        r.total(), r.copied(), r.present(), r.problems().size());
                r.problems().forEach(p -> System.out.println("  " + p));
                return r.ok() ? 0 : 1;
            }
        }
    }
}
