package dev.quire.layout.render;

import java.time.Duration;

/** A wall-clock limit for one page, checked between content-stream operators. */
record Deadline(long deadlineNanos, Duration limit, String what) {

    static Deadline after(Duration limit, String what) {
        return new Deadline(System.nanoTime() + limit.toNanos(), limit, what);
    }

    boolean expired() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    void check() {
        if (expired()) {
            throw new PageTimeoutException(what + " took longer than " + limit.toMillis() + " ms (page render timeout)");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new PageTimeoutException(what + " was interrupted");
        }
    }

    /** Thrown out of the content-stream engine when a page runs past its deadline. */
    static final class PageTimeoutException extends RuntimeException {
        PageTimeoutException(String message) {
            super(message);
        }
    }
}
