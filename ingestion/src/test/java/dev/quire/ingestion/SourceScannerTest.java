package dev.quire.ingestion;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceScannerTest {
    @TempDir
    Path tmp;

    @Test
    void foldersAreWalkedRecursivelyInSortedOrderAndPathsDeduplicated() throws IOException {
        Files.createDirectories(tmp.resolve("a/b"));
        Files.writeString(tmp.resolve("z.pdf"), "z");
        Files.writeString(tmp.resolve("a/b/y.pdf"), "y");
        Files.writeString(tmp.resolve("a/x.png"), "x");
        List<SourceScanner.Source> s = SourceScanner.expand(List.of(tmp.toString(), tmp.resolve("z.pdf").toString()));
        assertEquals(List.of(tmp.resolve("a/b/y.pdf"), tmp.resolve("a/x.png"), tmp.resolve("z.pdf")),
                s.stream().map(SourceScanner.Source::path).toList());
        assertTrue(s.stream().allMatch(SourceScanner.Source::readable));
    }

    @Test
    void globsMatchFilesAndMissingSourcesBecomeInputsWithAReason() throws IOException {
        Files.createDirectories(tmp.resolve("d/e"));
        Files.writeString(tmp.resolve("d/one.pdf"), "1");
        Files.writeString(tmp.resolve("d/e/two.pdf"), "2");
        Files.writeString(tmp.resolve("d/three.txt"), "3");
        List<SourceScanner.Source> s = SourceScanner.expand(List.of(tmp + "/d/**.pdf", tmp + "/nope.pdf", tmp + "/d/*.docx"));
        assertEquals(tmp.resolve("d/e/two.pdf"), s.get(0).path());
        assertEquals(tmp.resolve("d/one.pdf"), s.get(1).path());
        assertEquals(4, s.size());
        assertTrue(s.get(2).problem().endsWith("nope.pdf: no such file or folder"), s.get(2).problem());
        assertTrue(s.get(3).problem().endsWith("*.docx: no files match"), s.get(3).problem());
    }

    @Test
    void anEmptyFolderIsAnInputWithAReason() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("nothing-here"));
        List<SourceScanner.Source> s = SourceScanner.expand(List.of(empty.toString()));
        assertEquals(1, s.size());
        assertEquals(empty, s.get(0).path());
        assertEquals(empty + ": folder has no files to ingest", s.get(0).problem());
    }

    /** The scan as a user without root's privileges: in a user namespace when the tests run as root (as CI does). */
    List<String> scanUnprivileged(Path dir) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return SourceScanner.expand(List.of(dir.toString())).stream()
                    .map(x -> x.path() + "\t" + (x.problem() == null ? "" : x.problem())).toList();
        }
        Process p = new ProcessBuilder("unshare", "-U", ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), ScanChild.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    @Test
    void anUnreadableSubFolderCostsOnlyItself() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("locked/inner"));
        Files.writeString(dir.resolve("a/one.pdf"), "1");
        Files.writeString(dir.resolve("locked/inner/hidden.pdf"), "h");
        Files.writeString(dir.resolve("z.pdf"), "z");
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
        for (Path p : List.of(tmp, dir, dir.resolve("a"))) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(dir.resolve("a/one.pdf"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dir.resolve("z.pdf"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dir.resolve("locked"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        try {
            List<String> lines = scanUnprivileged(dir);
            assertEquals(3, lines.size(), lines.toString());
            assertEquals(dir.resolve("a/one.pdf") + "\t", lines.get(0), "files found before the unreadable folder are kept");
            assertEquals(dir.resolve("locked") + "\t" + dir.resolve("locked")
                    + ": cannot be read (permission denied); the rest of the folder is ingested", lines.get(1));
            assertEquals(dir.resolve("z.pdf") + "\t", lines.get(2), "and files after it too");
        } finally {
            Files.setPosixFilePermissions(dir.resolve("locked"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }
}
