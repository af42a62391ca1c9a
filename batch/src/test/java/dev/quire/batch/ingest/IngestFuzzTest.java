package dev.quire.batch.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile input at scale: 500 mutants (fixed seed) of small sample and generated PDFs — truncated, bit-flipped,
 * cross-reference tables damaged, sizes declared huge, objects nested deep — ingested in one run of this application.
 * Every mutant ends with a status (and a reason unless READY), the run accounts for every file, the JVM survives and
 * the live heap stays bounded. Renders at a small pixel budget and without passage embeddings, to stay quick.
 */
@QuarkusTest
@TestProfile(IngestFuzzTest.Small.class)
@QuarkusTestResource(PostgresResource.class)
@Tag("slow")
class IngestFuzzTest {
    static final int MUTANTS = 500;
    static final long SEED = 10_2026L;
    /** Most live heap (after GC) the run may need: far below what the JVM could take. */
    static final long LIVE_HEAP_BOUND = 768L << 20;

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quire.render.max-patches", "256", "quire.ingest.embed-passages", "false",
                    "quire.render.page-timeout", "5s", "quire.render.main-memory-bytes", "16777216",
                    "quire.ingest.max-pages", "50");
        }
    }

    @Inject
    IngestService ingest;

    static List<byte[]> originals(Path dir) throws Exception {
        List<Path> files = new ArrayList<>(List.of(Samples.file("libreoffice-form.pdf"), Samples.file("qpdf-damaged-stream.pdf"),
                Samples.file("ocrmypdf-invalid.pdf")));
        files.add(Pdfs.report(dir.resolve("report.pdf"), 3, 1));
        files.add(Pdfs.rotated(dir.resolve("rotated.pdf")));
        files.add(Pdfs.slides(dir.resolve("slides.pdf"), 3));
        files.add(Pdfs.encrypted(dir.resolve("owner-only.pdf"), ""));
        files.add(Pdfs.damagedStream(dir.resolve("damaged.pdf")));
        files.add(Pdfs.jbig2Scan(dir.resolve("jbig2.pdf")));
        files.add(Pdfs.jpxScan(dir.resolve("jpx.pdf")));
        files.add(Pdfs.cjkNotEmbedded(dir.resolve("cjk.pdf")));
        files.add(Pdfs.recursivePattern(dir.resolve("pattern.pdf"), 1, 1));
        List<byte[]> out = new ArrayList<>();
        for (Path f : files) {
            out.add(Files.readAllBytes(f));
        }
        return out;
    }

    /** One mutant of {@code pdf}; {@code kind} picks the damage. */
    static byte[] mutate(byte[] pdf, int kind, Random r) {
        String text = new String(pdf, StandardCharsets.ISO_8859_1);
        byte[] out = switch (kind) {
            case 0 -> java.util.Arrays.copyOf(pdf, 1 + r.nextInt(Math.max(1, pdf.length - 1)));
            case 1 -> {
                byte[] b = pdf.clone();
                for (int i = 0, n = 1 + r.nextInt(24); i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                yield b;
            }
            case 2 -> {
                // cross-reference damage: startxref pointing elsewhere, or entries overwritten
                int at = text.lastIndexOf("startxref");
                if (at < 0 || r.nextBoolean()) {
                    int x = text.indexOf("xref");
                    byte[] b = pdf.clone();
                    for (int i = Math.max(0, x); i < Math.min(b.length, Math.max(0, x) + 200); i++) {
                        if (Character.isDigit(b[i]) && r.nextInt(3) == 0) {
                            b[i] = (byte) ('0' + r.nextInt(10));
                        }
                    }
                    yield b;
                }
                yield (text.substring(0, at) + "startxref\n" + r.nextInt(pdf.length * 2) + "\n%%EOF\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            case 3 -> {
                // huge declared sizes: a stream length, an image side, a page count or a box
                String[] keys = {"/Length ", "/Width ", "/Height ", "/Count ", "/Size "};
                String key = keys[r.nextInt(keys.length)];
                Matcher m = Pattern.compile(Pattern.quote(key) + "\\d+").matcher(text);
                List<int[]> hits = new ArrayList<>();
                while (m.find()) {
                    hits.add(new int[] {m.start(), m.end()});
                }
                if (hits.isEmpty()) {
                    yield (text.replaceFirst("/MediaBox\\s*\\[[^\\]]*\\]", "/MediaBox [0 0 99999999 99999999]"))
                            .getBytes(StandardCharsets.ISO_8859_1);
                }
                int[] h = hits.get(r.nextInt(hits.size()));
                String huge = new String[] {"2147483647", "99999999999", "1000000", "-1"}[r.nextInt(4)];
                yield (text.substring(0, h[0]) + key + huge + text.substring(h[1])).getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> {
                // deep nesting: arrays or dictionaries nested tens of thousands deep in place of a value
                int depth = 5_000 + r.nextInt(60_000);
                String open = r.nextBoolean() ? "[" : "<< /K ";
                String close = open.equals("[") ? "]" : " >>";
                String nested = open.repeat(depth) + "0" + close.repeat(depth);
                String replaced = text.replaceFirst("/MediaBox\\s*\\[[^\\]]*\\]", "/MediaBox " + Matcher.quoteReplacement(nested));
                if (replaced.equals(text)) {
                    int at = Math.max(0, text.indexOf("obj"));
                    replaced = text.substring(0, at) + nested + text.substring(at);
                }
                yield replaced.getBytes(StandardCharsets.ISO_8859_1);
            }
        };
        return out;
    }

    static long liveHeapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null) {
                peak += p.getCollectionUsage().getUsed();
            }
        }
        return peak;
    }

    @Test
    void fiveHundredHostileMutantsEachEndWithAStatusAndTheRunAccountsForEveryFile() throws Exception {
        Path dir = Files.createTempDirectory("quire-fuzz");
        List<byte[]> originals = originals(Files.createDirectories(dir.resolve("originals")));
        Path mutants = Files.createDirectories(dir.resolve("mutants"));
        Random r = new Random(SEED);
        Map<Integer, Integer> kinds = new TreeMap<>();
        for (int i = 0; i < MUTANTS; i++) {
            int kind = i % 5;
            kinds.merge(kind, 1, Integer::sum);
            byte[] base = originals.get(r.nextInt(originals.size()));
            byte[] m = mutate(base, kind, r);
            // a unique trailer comment keeps every mutant distinct bytes (so none is a mere DUPLICATE)
            byte[] tag = ("\n%mutant " + i + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] file = java.util.Arrays.copyOf(m, m.length + tag.length);
            System.arraycopy(tag, 0, file, m.length, tag.length);
            Files.write(mutants.resolve(String.format("m%03d-k%d.pdf", i, kind)), file);
        }
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        long maxLive = 0;
        long t0 = System.nanoTime();
        IngestService.Started run = ingest.start(List.of(mutants.toString()));
        while (List.of(jakarta.batch.runtime.BatchStatus.STARTING, jakarta.batch.runtime.BatchStatus.STARTED,
                jakarta.batch.runtime.BatchStatus.STOPPING).contains(ingest.status(run.executionId()))) {
            maxLive = Math.max(maxLive, liveHeapPeak());
            Thread.sleep(200);
        }
        for (int i = 0; i < 100 && ingest.progress(run.runId()).status() == RunStatus.STARTED; i++) {
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        IngestService.RunProgress p = ingest.progress(run.runId());
        assertEquals(RunStatus.COMPLETED, p.status(), "the run completed");
        assertEquals(MUTANTS, p.totalInputs());
        Map<String, Long> counts = new TreeMap<>(ingest.statusCounts(run.runId()));
        assertEquals(MUTANTS, counts.values().stream().mapToLong(Long::longValue).sum(), "the summary accounts for every file");
        assertFalse(counts.containsKey("PENDING"), counts.toString());
        Map<String, SourceFile> in = IngestRuns.inputsByName(run.runId());
        assertEquals(MUTANTS, in.size());
        Map<String, Long> reasons = new TreeMap<>();
        for (SourceFile f : in.values()) {
            if (f.status != InputStatus.READY) {
                assertNotNull(f.reason, f.path + " is " + f.status + " without a reason");
                String name = Path.of(f.path).getFileName().toString();
                assertTrue(f.reason.startsWith(name + ": "), "the reason names the file: " + f.reason);
                reasons.merge(f.status + " " + f.reason.substring(name.length() + 2).replaceAll("\\d+", "N")
                        .replaceAll("^(.{0,60}).*", "$1"), 1L, Long::sum);
            }
        }
        maxLive = Math.max(maxLive, liveHeapPeak());
        System.out.printf("IngestFuzzTest: %d mutants (seed %d, by kind 0 truncation, 1 bit flips, 2 xref damage, "
                        + "3 huge sizes, 4 deep nesting: %s) in %.1f s: %s; live heap after GC at most %d MiB (bound %d MiB)%n",
                MUTANTS, SEED, kinds, seconds, counts, maxLive >> 20, LIVE_HEAP_BOUND >> 20);
        reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> System.out.println("  " + e.getValue() + " × " + e.getKey()));
        assertTrue(maxLive < LIVE_HEAP_BOUND, "live heap " + (maxLive >> 20) + " MiB");
    }
}
