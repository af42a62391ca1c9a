package dev.quire.batch.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.Pdfs;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.PageStatus;
import dev.quire.storage.ingest.IngestRun;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import dev.quire.vlm.config.ConfigError;
import dev.quire.vlm.demo.DemoCheckpoint;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ingest renders pages for the configured checkpoint's preprocessor_config.json (here a tiny checkpoint whose
 * in_token_limit is 1024, not Kimi-VL-Instruct's 4096), records the geometry with the run and the documents, and
 * refuses a model whose file lacks a geometry key.
 */
@QuarkusTest
@TestProfile(IngestModelGeometryTest.SmallBudgetModel.class)
@QuarkusTestResource(PostgresResource.class)
class IngestModelGeometryTest {
    static final Path MODEL = smallBudgetModel();
    static final Path PREPROCESSOR = MODEL.resolve("preprocessor_config.json");
    static final String SMALL = """
            {"patch_size": 14, "merge_kernel_size": [2, 2], "in_token_limit": 1024, "pad_input": true}""";
    static final String KEY_1024 = "patch_size=14 merge_kernel_size=2x2 in_token_limit=1024 pad_input=true";
    static final String KEY_4096 = "patch_size=14 merge_kernel_size=2x2 in_token_limit=4096 pad_input=true";

    public static class SmallBudgetModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quire.vlm.model", MODEL.toString(), "quire.ingest.embed-passages", "false");
        }
    }

    /** A tiny checkpoint in the real layout whose processor allows 1024 patches per image. */
    static Path smallBudgetModel() {
        try {
            Path dir = Files.createTempDirectory("quire-small-budget-model");
            DemoCheckpoint.write(dir, DemoCheckpoint.DEMO, false);
            Files.writeString(dir.resolve("preprocessor_config.json"), SMALL);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Inject
    IngestService ingest;

    @AfterEach
    void restoreTheModel() throws IOException {
        Files.writeString(PREPROCESSOR, SMALL);
    }

    static List<Page> pagesOf(SourceFile f) {
        return QuarkusTransaction.requiringNew().call(() -> Page.ofDocument(f.documentId));
    }

    @Test
    void pagesAreRenderedForTheModelsInTokenLimitAndTheGeometryIsRecorded() throws Exception {
        Path dir = Files.createTempDirectory("quire-geometry");
        Pdfs.report(dir.resolve("small-budget.pdf"), 2, 16_401);
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        assertEquals(KEY_1024, run.geometry().key());
        assertEquals("patch_size 14, merge_kernel_size 2x2, in_token_limit 1024 from " + PREPROCESSOR, run.geometry().source());
        SourceFile small = IngestRuns.inputsByName(run.runId()).get("small-budget.pdf");
        assertEquals(InputStatus.READY, small.status, small.reason);
        long budget = 1024L * 14 * 14;
        for (Page p : pagesOf(small)) {
            assertEquals(PageStatus.OK, p.status);
            long pixels = (long) p.widthPx * p.heightPx;
            assertTrue(pixels <= budget && pixels > budget * 0.8, p.widthPx + "x" + p.heightPx + " for a budget of " + budget);
            assertEquals(0, p.widthPx % 28);
            assertEquals(0, p.heightPx % 28);
        }
        QuarkusTransaction.requiringNew().run(() -> {
            IngestRun r = IngestRun.findById(run.runId());
            assertEquals(KEY_1024, r.renderGeometry);
            assertEquals(run.geometry().source(), r.renderGeometrySource);
            assertEquals(KEY_1024, Document.<Document>findById(small.documentId).renderGeometry);
        });

        // The same model folder with Kimi-VL-Instruct's 4096 patches: a page of the same size gets ~4× the pixels,
        // and the stored document met again is a duplicate whose reason says it was rendered for the other geometry.
        Files.writeString(PREPROCESSOR, SMALL.replace("1024", "4096"));
        Path again = Files.createTempDirectory("quire-geometry-again");
        Files.copy(dir.resolve("small-budget.pdf"), again.resolve("small-budget.pdf"));
        Pdfs.report(again.resolve("large-budget.pdf"), 2, 16_402);
        IngestService.Started second = IngestRuns.runToEnd(ingest, List.of(again.toString()));
        assertEquals(KEY_4096, second.geometry().key());
        Map<String, SourceFile> in = IngestRuns.inputsByName(second.runId());
        SourceFile large = in.get("large-budget.pdf");
        assertEquals(InputStatus.READY, large.status, large.reason);
        Page a = pagesOf(small).getFirst();
        Page b = pagesOf(large).getFirst();
        double ratio = (double) b.widthPx * b.heightPx / ((double) a.widthPx * a.heightPx);
        assertTrue(ratio > 3.5 && ratio < 4.5, "4096 vs 1024 patches: page pixels ×" + ratio);
        SourceFile dup = in.get("small-budget.pdf");
        assertEquals(InputStatus.DUPLICATE, dup.status);
        assertTrue(dup.reason.contains("its pages were rendered for " + KEY_1024 + ", not for this run's " + KEY_4096),
                dup.reason);
    }

    @Test
    void aModelWithoutAGeometryKeyOrFileStopsTheIngestNamingTheFileAndTheKey() throws Exception {
        Path dir = Files.createTempDirectory("quire-geometry-missing");
        Pdfs.report(dir.resolve("never-rendered.pdf"), 1, 16_403);
        long runs = QuarkusTransaction.requiringNew().call(() -> IngestRun.count());
        Files.writeString(PREPROCESSOR, """
                {"patch_size": 14, "merge_kernel_size": [2, 2]}""");
        ConfigError e = assertThrows(ConfigError.class, () -> ingest.start(List.of(dir.toString())));
        assertEquals(PREPROCESSOR + ": key in_token_limit is missing", e.getMessage());
        Files.delete(PREPROCESSOR);
        e = assertThrows(ConfigError.class, () -> ingest.start(List.of(dir.toString())));
        assertTrue(e.getMessage().startsWith(PREPROCESSOR + " is missing"), e.getMessage());
        assertEquals(runs, (long) QuarkusTransaction.requiringNew().call(() -> IngestRun.count()), "no run was started");
    }

    @Test
    void anUnfinishedRunIsNotResumedForAnotherGeometry() throws Exception {
        Path dir = Files.createTempDirectory("quire-geometry-resume");
        Pdfs.report(dir.resolve("resumed.pdf"), 1, 16_404);
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        // as if the run had been killed: unfinished, so the same sources resume it
        QuarkusTransaction.requiringNew().run(() -> IngestRun.update("status = ?1, owner = null where id = ?2",
                RunStatus.FAILED, run.runId()));
        Files.writeString(PREPROCESSOR, SMALL.replace("1024", "2048"));
        IngestService.GeometryChangedException e = assertThrows(IngestService.GeometryChangedException.class,
                () -> ingest.start(List.of(dir.toString())));
        assertTrue(e.getMessage().startsWith("ingest run " + run.runId() + " over these sources was started rendering pages for "
                + KEY_1024), e.getMessage());
        assertTrue(e.getMessage().contains("in_token_limit=2048"), e.getMessage());
        Files.writeString(PREPROCESSOR, SMALL);
        IngestService.Started resumed = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        assertTrue(resumed.resumed());
        assertEquals(run.runId(), resumed.runId());
        assertEquals(RunStatus.COMPLETED, ingest.progress(run.runId()).status());
    }

    @Inject
    IngestProgress live;

    /** Runs the ingest as the quire command does; returns what it printed on stdout and stderr. */
    String[] ingestCommand(Path dir) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream savedOut = System.out;
        java.io.PrintStream savedErr = System.err;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            dev.quire.batch.cli.IngestCommandAccess.run(ingest, live, List.of(dir.toString()));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new String[] {out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8)};
    }

    @Test
    void theIngestCommandSaysWhatItRendersForAndWhereFrom() throws Exception {
        Path dir = Files.createTempDirectory("quire-geometry-cli");
        Pdfs.report(dir.resolve("said.pdf"), 1, 16_405);
        String[] printed = ingestCommand(dir);
        assertTrue(printed[0].contains("Pages rendered for patch_size 14, merge_kernel_size 2x2, in_token_limit 1024 from "
                + PREPROCESSOR + " → at most 200,704 px per page, sides multiples of 28x28 px\n"), printed[0]);

        Files.writeString(PREPROCESSOR, """
                {"merge_kernel_size": [2, 2], "in_token_limit": 1024}""");
        Path other = Files.createTempDirectory("quire-geometry-cli-broken");
        Pdfs.report(other.resolve("unsaid.pdf"), 1, 16_406);
        printed = ingestCommand(other);
        assertTrue(printed[1].contains("quire: " + PREPROCESSOR + ": key patch_size is missing\n"), printed[1]);
        assertFalse(printed[0].contains("Starting ingest run"), printed[0]);
    }
}
