package dev.quire.ingestion.office;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bounded pool in front of a converter: at most {@code workers} conversions at once, each given
 * {@code timeout}; one that does not finish in time is abandoned, the converter is restarted (a hung LibreOffice
 * is killed) and the file fails with a reason that says so. Never throws for a bad file. Thread-safe.
 */
public final class OfficeConversions implements AutoCloseable {
    /** A finished conversion: the PDF, or the reason there is none. */
    public record Result(Path pdf, long millis, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final OfficeConverter converter;
    private final Duration timeout;
    private final Semaphore slots;
    private final ExecutorService threads;
    private volatile int restarts;

    public OfficeConversions(OfficeConverter converter, int workers, Duration timeout) {
        if (workers < 1) {
            throw new IllegalArgumentException("need at least one conversion worker, got " + workers);
        }
        this.converter = converter;
        this.timeout = timeout;
        this.slots = new Semaphore(workers, true);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "office-convert");
            t.setDaemon(true);
            return t;
        });
    }

    /** How often the converter was restarted after a hang or crash. */
    public int restarts() {
        return restarts;
    }

    /**
     * Converts {@code source} to a PDF in {@code workDir}; the timeout counts from when the converter is running (its
     * first start is not charged to the file). {@code millis} of a success is the conversion time. The error of a failed conversion starts with the file's
     * {@code name} and says what happened.
     */
    public Result convert(Path source, String name, Path workDir) {
        long t0 = System.nanoTime();
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, 0, name + ": interrupted while waiting for a converter");
        }
        try {
            converter.start();
            long t1 = System.nanoTime();
            Path pdf = Files.createTempFile(workDir, "converted-", ".pdf");
            Future<?> job = threads.submit(() -> {
                converter.convert(source, pdf);
                return null;
            });
            try {
                job.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new Result(pdf, ms(t1), null);
            } catch (TimeoutException e) {
                job.cancel(true);
                restart();
                Files.deleteIfExists(pdf);
                return new Result(null, ms(t0), name + ": conversion to PDF did not finish within " + timeout.toSeconds()
                        + " s (quire.convert.timeout); the converter was restarted");
            } catch (ExecutionException e) {
                Files.deleteIfExists(pdf);
                Throwable cause = e.getCause();
                if (cause instanceof Error) {
                    restart();
                }
                return new Result(null, ms(t0), name + ": conversion to PDF failed: "
                        + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
            } catch (InterruptedException e) {
                job.cancel(true);
                Files.deleteIfExists(pdf);
                Thread.currentThread().interrupt();
                return new Result(null, ms(t0), name + ": interrupted during conversion");
            }
        } catch (IOException e) {
            return new Result(null, ms(t0), name + ": conversion to PDF failed: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Result(null, ms(t0), name + ": conversion to PDF failed: " + e);
        } finally {
            slots.release();
        }
    }

    private void restart() {
        restarts++;
        try {
            converter.restart();
        } catch (RuntimeException e) {
            // the next conversion starts it again
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public void close() {
        threads.shutdownNow();
        converter.close();
    }
}
