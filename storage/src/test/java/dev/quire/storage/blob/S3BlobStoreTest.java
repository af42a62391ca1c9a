package dev.quire.storage.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.fixtures.S3Server;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The S3 blob store against a real S3-compatible server (s3proxy, filesystem backend) started by the test. */
class S3BlobStoreTest {
    @TempDir
    static Path work;
    static S3Server server;
    static S3BlobStore store;

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.start(work);
        store = open("quire-test", "blobs", 4);
        store.createBucketIfMissing();
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static S3BlobStore open(String bucket, String prefix, int attempts) {
        return new S3BlobStore(new S3BlobStore.Settings(Optional.of(server.endpoint()), bucket, "us-east-1", true, prefix,
                attempts, Duration.ofSeconds(5)),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)));
    }

    static byte[] read(BlobStore s, String sha) throws IOException {
        try (InputStream in = s.open(sha)) {
            return in.readAllBytes();
        }
    }

    @Test
    void storedBytesComeBackUnderTheirHashAndLayout() throws Exception {
        byte[] bytes = new byte[300_000];
        new Random(1).nextBytes(bytes);
        String sha = store.put(bytes);
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)), sha);
        assertEquals(sha, BlobMigration.hash(store, sha));
        assertTrue(store.contains(sha));
        assertArrayEquals(bytes, read(store, sha));
        assertEquals("blobs/" + sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha, store.key(sha));
        assertTrue(Files.isRegularFile(server.data().resolve("quire-test").resolve(store.key(sha))),
                "the object is where the key says, in the server's own storage");
    }

    @Test
    void writingTheSameContentTwiceIsHarmlessAndDoesNotUploadAgain() throws Exception {
        byte[] bytes = "same bytes, two writers".getBytes();
        String sha = store.put(bytes);
        Path object = server.data().resolve("quire-test").resolve(store.key(sha));
        var before = Files.getLastModifiedTime(object);
        Thread.sleep(1100);
        assertEquals(sha, store.put(bytes));
        Path f = Files.write(work.resolve("same.bin"), bytes);
        assertEquals(sha, store.putFile(f));
        assertEquals(before, Files.getLastModifiedTime(object), "the second write found the blob and sent nothing");
    }

    @Test
    void pageImagesRoundTripThroughTheBucket() throws Exception {
        BufferedImage img = new BufferedImage(56, 28, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 4, 0xff0000);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        String sha = store.putFile(Files.write(work.resolve("page.png"), png.toByteArray()));
        BufferedImage back = store.image(sha);
        assertEquals(56, back.getWidth());
        assertEquals(0xff0000, back.getRGB(3, 4) & 0xffffff);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        store.copyTo(sha, copy);
        assertArrayEquals(png.toByteArray(), copy.toByteArray());
    }

    @Test
    void aMissingBlobIsNamedInTheError() {
        String sha = "0".repeat(64);
        assertFalse(store.contains(sha));
        IOException e = assertThrows(IOException.class, () -> store.open(sha));
        assertTrue(e.getMessage().contains(sha) && e.getMessage().contains("s3://quire-test/blobs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.contains("../etc/passwd"));
    }

    @Test
    void anUnreachableServerFailsAfterBoundedRetriesNamingTheStore() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (S3BlobStore dead = new S3BlobStore(new S3BlobStore.Settings(Optional.of(java.net.URI.create("http://127.0.0.1:" + port)),
                "quire-test", "us-east-1", true, "", 3, Duration.ofSeconds(2)),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            Instant t0 = Instant.now();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> dead.put(new byte[] {1, 2, 3}));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertTrue(Duration.between(t0, Instant.now()).toSeconds() < 30, "bounded, not forever");
            IOException c = assertThrows(IOException.class, dead::check);
            assertTrue(c.getMessage().contains("not reachable"), c.getMessage());
        }
        store.check();
    }

    @Test
    void credentialsComeFromTheEnvironmentChain() throws Exception {
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
        try (S3BlobStore s = new S3BlobStore(new S3BlobStore.Settings(Optional.of(server.endpoint()), "quire-test", "us-east-1",
                true, "blobs", 2, Duration.ofSeconds(5)))) {
            String sha = s.put("via the default chain".getBytes());
            assertArrayEquals("via the default chain".getBytes(), read(store, sha));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void migrateCopiesALocalStoreAndVerifiesEveryHash() throws Exception {
        LocalBlobStore local = new LocalBlobStore(work.resolve("local-blobs"));
        List<String> shas = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 5; i++) {
            byte[] b = new byte[1000 + i * 5000];
            r.nextBytes(b);
            shas.add(local.put(b));
        }
        String damaged = local.put("soon damaged".getBytes());
        Files.writeString(local.path(damaged), "bit rot");
        Files.writeString(local.root().resolve("incoming-123.tmp"), "a leftover temporary file is not a blob");

        try (S3BlobStore target = open("migrated", "p", 4)) {
            target.createBucketIfMissing();
            List<BlobMigration.Step> steps = new ArrayList<>();
            BlobMigration.Report first = BlobMigration.migrate(local, target, steps::add);
            assertEquals(5, first.copied());
            assertEquals(0, first.present());
            assertEquals(1, first.problems().size(), first.problems().toString());
            assertTrue(first.problems().getFirst().contains(damaged) && first.problems().getFirst().contains("damaged"));
            assertFalse(first.ok());
            assertEquals(6, steps.size());
            assertFalse(target.contains(damaged), "a damaged file is not spread");
            for (String sha : shas) {
                assertArrayEquals(read(local, sha), read(target, sha));
            }
            // corrupt one copy in the bucket behind the store's back: the next run finds it
            Files.writeString(server.data().resolve("migrated").resolve(target.key(shas.get(2))), "corrupted in the bucket");
            BlobMigration.Report second = BlobMigration.migrate(local, target, s -> { });
            assertEquals(0, second.copied());
            assertEquals(4, second.present());
            assertEquals(2, second.problems().size(), second.problems().toString());
            assertTrue(second.problems().stream().anyMatch(p -> p.contains(shas.get(2)) && p.contains("hashes to")));
        }
    }
}
