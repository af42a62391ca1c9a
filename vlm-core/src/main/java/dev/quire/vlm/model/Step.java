package dev.quire.vlm.model;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs one layer's computation in its own native-memory scope: every intermediate tensor is freed when the
 * step ends, only the result survives. Without this, a forward pass would hold every layer's temporaries
 * (attention scores, MLP activations) until the whole pass ends.
 */
final class Step {
    private Step() {
    }

    /** The result of {@code f}, kept alive past the step; release it with {@link #release}. */
    static Tensor run(Supplier<Tensor> f) {
        try (PointerScope scope = new PointerScope()) {
            Tensor out = f.get();
            out.retainReference();
            return out;
        }
    }

    /**
     * Feeds {@code input} through {@code layers}, each in its own step; every intermediate result is freed as soon
     * as the next layer has consumed it. The result is retained (release it with {@link #release}) unless there
     * were no layers, in which case it is {@code input} itself.
     */
    static Tensor through(Tensor input, Iterable<? extends java.util.function.UnaryOperator<Tensor>> layers) {
        Tensor x = input;
        for (java.util.function.UnaryOperator<Tensor> layer : layers) {
            Tensor in = x;
            x = run(() -> layer.apply(in));
            if (in != input) {
                release(in);
            }
        }
        return x;
    }

    /** Frees a result of {@link #run} once it is no longer needed. */
    static void release(Tensor t) {
        if (t != null && !t.isNull()) {
            t.releaseReference();
        }
    }
}
