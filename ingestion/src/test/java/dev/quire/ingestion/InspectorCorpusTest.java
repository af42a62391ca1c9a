package dev.quire.ingestion;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.fixtures.Corpus;
import dev.quire.ingestion.Inspection.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Corpus group: real-world damaged PDFs, each with its expected verdict pinned (and the reason naming the file). */
@Tag("corpus")
class InspectorCorpusTest {
    final Inspector inspector = new Inspector(IngestLimits.defaults(64L << 20));

    Inspection inspect(Path p) throws IOException {
        return inspector.inspect(p, Fingerprint.of(p));
    }

    @Test
    void malformedCorpusFilesGetTheirPinnedVerdicts() throws IOException {
        Map<String, Verdict> expected = new LinkedHashMap<>();
        expected.put("ocrmypdf-invalid.pdf", Verdict.REJECTED); // a header and an EOF marker are no document
        expected.put("poppler-395-0-fuzzed.pdf", Verdict.REJECTED); // the page tree root is not a dictionary
        expected.put("issue18986.pdf", Verdict.ACCEPTED); // damage PDFBox repairs: 1 page
        expected.put("qpdf-damaged-stream.pdf", Verdict.ACCEPTED); // a corrupt LZW stream costs its page at rendering, not the file
        expected.put("zen_of_python_corrupted.pdf", Verdict.ACCEPTED); // recoverable corruption: 1 page
        Map<String, String> actual = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            Inspection i = inspect(Corpus.file(name));
            actual.put(name, i.verdict() + (i.reason() == null ? " (" + i.pageCount() + " pages)" : ": " + i.reason()));
            if (i.verdict() == Verdict.REJECTED) {
                assertTrue(i.reason().startsWith(name + ": "), i.reason());
            } else {
                assertTrue(i.pageCount() > 0, name);
            }
        }
        System.out.println("InspectorCorpusTest: " + actual);
        for (var e : expected.entrySet()) {
            assertTrue(actual.get(e.getKey()).startsWith(e.getValue().name()), e.getKey() + ": " + actual.get(e.getKey()));
        }
    }

    @Test
    void ownerPasswordOnlyCorpusPdfOpens() throws IOException {
        Inspection i = inspect(Corpus.file("copy-protected.pdf"));
        assertEquals(Verdict.ACCEPTED, i.verdict(), i.reason());
        assertEquals(2, i.pageCount());
    }
}
