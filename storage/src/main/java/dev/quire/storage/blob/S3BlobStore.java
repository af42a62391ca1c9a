package dev.quire.storage.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, s3proxy, …), keyed {@code prefix/ab/cd/abcd…} like the
 * local store's folders. The name is computed before the upload, so a blob that is already there is not sent again
 * (idempotent, and safe with many writers: same key, same bytes); every upload is checked against the MD5 the server
 * reports. Requests are retried a bounded number of times ({@code maxAttempts}, exponential backoff) by the SDK's
 * standard retry strategy. Credentials come from the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a web
 * identity token, an instance profile: the SDK's default chain), never from Quire's configuration.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {

    /** Where the bucket is and how to talk to it. {@code endpoint} empty = AWS itself. */
    public record Settings(Optional<URI> endpoint, String bucket, String region, boolean pathStyle, String prefix,
                           int maxAttempts, Duration timeout) {
        public Settings {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("quire.blobs.s3.bucket is empty");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("quire.blobs.s3.max-attempts must be at least 1, not " + maxAttempts);
            }
            prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        }
    }

    private final Settings settings;
    private final S3Client s3;

    public S3BlobStore(Settings settings) {
        this(settings, DefaultCredentialsProvider.builder().build());
    }

    public S3BlobStore(Settings settings, AwsCredentialsProvider credentials) {
        this.settings = settings;
        var builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // S3-compatible servers do not all know the newer flexible checksums; MD5/ETag is checked below
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.timeout()).socketTimeout(settings.timeout()))
                .overrideConfiguration(o -> o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(settings.maxAttempts()).build()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.s3 = builder.build();
    }

    public Settings settings() {
        return settings;
    }

    /** The object key of a blob. */
    public String key(String sha256) {
        BlobStore.requireName(sha256);
        String k = sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
        return settings.prefix().isEmpty() ? k : settings.prefix() + "/" + k;
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + (settings.prefix().isEmpty() ? "" : "/" + settings.prefix())
                + settings.endpoint().map(e -> " at " + e).orElse("");
    }

    @Override
    public void check() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            throw new IOException("blob store " + describe() + " is not reachable: " + e.getMessage(), e);
        }
    }

    @Override
    public String put(byte[] bytes) {
        Digests d = Digests.of(bytes);
        return upload(d, RequestBody.fromBytes(bytes), "bytes");
    }

    @Override
    public String putFile(Path file) {
        Digests d;
        try (InputStream in = Files.newInputStream(file)) {
            d = Digests.of(in);
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + describe() + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        return upload(d, RequestBody.fromFile(file), file.toString());
    }

    private String upload(Digests d, RequestBody body, String what) {
        if (contains(d.sha256())) {
            return d.sha256();
        }
        String key = key(d.sha256());
        try {
            PutObjectResponse r = s3.putObject(b -> b.bucket(settings.bucket()).key(key)
                    .contentMD5(d.md5Base64()).metadata(Map.of("sha256", d.sha256())), body);
            String etag = r.eTag() == null ? "" : r.eTag().replace("\"", "");
            if (!etag.isEmpty() && !etag.contains("-") && !etag.equalsIgnoreCase(d.md5Hex())) {
                throw new UncheckedIOException(new IOException("blob store " + describe() + ": upload of " + what + " as "
                        + key + " came back with MD5 " + etag + ", sent " + d.md5Hex() + " (changed while uploading?)"));
            }
        } catch (SdkException e) {
            throw new UncheckedIOException("blob store " + describe() + ": upload of " + what + " as " + key
                    + " failed after at most " + settings.maxAttempts() + " attempts: " + e.getMessage(), new IOException(e));
        }
        return d.sha256();
    }

    @Override
    public boolean contains(String sha256) {
        String key = key(sha256);
        try {
            s3.headObject(b -> b.bucket(settings.bucket()).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new UncheckedIOException("blob store " + describe() + ": cannot look up " + key + ": " + e.getMessage(),
                    new IOException(e));
        } catch (SdkException e) {
            throw new UncheckedIOException("blob store " + describe() + ": cannot look up " + key + ": " + e.getMessage(),
                    new IOException(e));
        }
    }

    @Override
    public InputStream open(String sha256) throws IOException {
        String key = key(sha256);
        try {
            return s3.getObject(b -> b.bucket(settings.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            throw new IOException("blob " + sha256 + " is not in " + describe(), e);
        } catch (SdkException e) {
            throw new IOException("blob store " + describe() + ": cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    /** Creates the bucket unless it exists (tests, the local overlay's first start). */
    public void createBucketIfMissing() {
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            s3.createBucket(b -> b.bucket(settings.bucket()));
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** SHA-256 (the name) and MD5 (what S3 checks an upload against) in one pass. */
    record Digests(String sha256, byte[] md5) {
        String md5Hex() {
            return HexFormat.of().formatHex(md5);
        }

        String md5Base64() {
            return java.util.Base64.getEncoder().encodeToString(md5);
        }

        static Digests of(byte[] bytes) {
            MessageDigest sha = digest("SHA-256");
            MessageDigest md5 = digest("MD5");
            sha.update(bytes);
            md5.update(bytes);
            return new Digests(HexFormat.of().formatHex(sha.digest()), md5.digest());
        }

        static Digests of(InputStream in) throws IOException {
            MessageDigest sha = digest("SHA-256");
            MessageDigest md5 = digest("MD5");
            try (var d = new DigestInputStream(new DigestInputStream(in, sha), md5)) {
                d.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return new Digests(HexFormat.of().formatHex(sha.digest()), md5.digest());
        }

        private static MessageDigest digest(String name) {
            try {
                return MessageDigest.getInstance(name);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
