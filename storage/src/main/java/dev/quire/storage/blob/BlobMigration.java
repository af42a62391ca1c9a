package dev.quire.storage.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Copies every blob of a local store to another store (S3) and verifies each one: the local file's bytes must hash
 * to its name before it is copied (a damaged file is reported, not spread), and the copy is read back from the
 * target and hashed again. Blobs already in the target are verified, not sent again, so a migration can be re-run
 * after an interruption.
 */
public final class BlobMigration {

    /** What happened: blobs copied, already there, and the problems (each naming the blob and what is wrong). */
    public record Report(int copied, int present, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public int total() {
            return copied + present + problems.size();
        }
    }

    /** One line of progress per blob: index, total, name, outcome. */
    public record Step(int index, int total, String sha256, String outcome) {
    }

    private BlobMigration() {
    }

    public static Report migrate(LocalBlobStore from, BlobStore to, Consumer<Step> progress) throws IOException {
        List<String> names;
        try (var s = from.names()) {
            names = s.toList();
        }
        int copied = 0;
        int present = 0;
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String sha : names) {
            i++;
            String outcome;
            try {
                String local = hash(from, sha);
                if (!local.equals(sha)) {
                    outcome = "local file " + from.path(sha) + " is damaged: its bytes hash to " + local + " (not copied)";
                    problems.add("blob " + sha + ": " + outcome);
                } else {
                    boolean there = to.contains(sha);
                    if (!there) {
                        String stored = to.putFile(from.path(sha));
                        if (!stored.equals(sha)) {
                            throw new IOException("stored as " + stored + " (the file changed while copying?)");
                        }
                    }
                    String remote = hash(to, sha);
                    if (!remote.equals(sha)) {
                        outcome = "the copy in " + to.describe() + " hashes to " + remote;
                        problems.add("blob " + sha + ": " + outcome);
                    } else if (there) {
                        present++;
                        outcome = "already there, verified";
                    } else {
                        copied++;
                        outcome = "copied, verified";
                    }
                }
            } catch (IOException | RuntimeException e) {
                outcome = "failed: " + e.getMessage();
                problems.add("blob " + sha + ": " + outcome);
            }
            progress.accept(new Step(i, names.size(), sha, outcome));
        }
        return new Report(copied, present, List.copyOf(problems));
    }

    /** SHA-256 of a blob's bytes as the store returns them. */
    public static String hash(BlobStore store, String sha256) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(store.open(sha256), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
