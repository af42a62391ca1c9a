package dev.quire.ingestion.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool's timeout and restart, with a converter that never finishes on one file (a test double of LibreOffice). */
class OfficeConversionsTest {
    @TempDir
    Path dir;

    /** Hangs forever on files named "hang*" until restarted; writes a one-byte "PDF" for the others. */
    static class HangingConverter implements OfficeConverter {
        final AtomicInteger restarts = new AtomicInteger();
        volatile CountDownLatch never = new CountDownLatch(1);

        @Override
        public void convert(Path source, Path pdf) throws IOException {
            if (source.getFileName().toString().startsWith("hang")) {
                CountDownLatch l = never;
                while (true) {
                    try {
                        l.await();
                    } catch (InterruptedException e) {
                        // a hung office process does not care about interrupts either; only restart() frees it
                    }
                    if (l.getCount() == 0) {
                        throw new IOException("office process killed");
                    }
                }
            }
            Files.write(pdf, new byte[] {'%'});
        }

        @Override
        public void restart() {
            restarts.incrementAndGet();
            CountDownLatch old = never;
            never = new CountDownLatch(1);
            old.countDown();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aConversionThatNeverFinishesFailsAtTheTimeoutAndTheConverterIsRestarted() throws IOException {
        HangingConverter fake = new HangingConverter();
        try (OfficeConversions pool = new OfficeConversions(fake, 1, Duration.ofMillis(500))) {
            Path hang = Files.writeString(dir.resolve("hang.docx"), "x");
            Path ok = Files.writeString(dir.resolve("ok.docx"), "y");
            long t0 = System.nanoTime();
            OfficeConversions.Result r = pool.convert(hang, "hang.docx", dir);
            assertFalse(r.ok());
            assertTrue(r.error().startsWith("hang.docx: conversion to PDF did not finish within 0 s"), r.error());
            assertTrue(r.error().contains("restarted"), r.error());
            assertTrue((System.nanoTime() - t0) / 1e9 < 10, "the timeout bounds the wait");
            assertEquals(1, fake.restarts.get());
            assertEquals(1, pool.restarts());
            // the slot is free again and the restarted converter works
            OfficeConversions.Result after = pool.convert(ok, "ok.docx", dir);
            assertTrue(after.ok(), after.error());
        }
    }

    @Test
    void aFailedConversionNamesTheFileAndTheCause() throws IOException {
        OfficeConverter failing = new HangingConverter() {
            @Override
            public void convert(Path source, Path pdf) throws IOException {
                throw new IOException("LibreOffice could not convert it: unsupported filter");
            }
        };
        try (OfficeConversions pool = new OfficeConversions(failing, 2, Duration.ofSeconds(5))) {
            OfficeConversions.Result r = pool.convert(Files.writeString(dir.resolve("a.doc"), "x"), "a.doc", dir);
            assertEquals("a.doc: conversion to PDF failed: LibreOffice could not convert it: unsupported filter", r.error());
        }
    }
}
