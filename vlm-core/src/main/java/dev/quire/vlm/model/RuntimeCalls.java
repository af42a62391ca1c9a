package dev.quire.vlm.model;

/**
 * Counts the libtorch calls the decoder issues (each tensor operation, view or copy; not shape queries), so the
 * benchmark can print calls per decoded token per layer. Each block of model code adds the number of calls it
 * makes next to the calls themselves. On CUDA every call is at least one kernel launch, on CPU one dispatch.
 */
public final class RuntimeCalls {
    private static long count;

    private RuntimeCalls() {
    }

    static void add(int n) {
        count += n;
    }

    /** Calls counted so far (the model runs one step at a time, so a plain counter suffices). */
    public static long count() {
        return count;
    }
}
