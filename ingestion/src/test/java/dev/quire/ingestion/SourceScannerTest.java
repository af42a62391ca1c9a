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
}
