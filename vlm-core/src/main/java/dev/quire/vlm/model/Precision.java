package dev.quire.vlm.model;

import dev.quire.vlm.checkpoint.DType;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/**
 * The precision the model's matrix products run in ({@code quire.vlm.dtype}): {@code float32}, {@code bfloat16},
 * {@code float16}, or {@code auto}. Weights stored in another dtype are converted once at load (on CPU that is a
 * copy beside the mapped file: float32 from a bf16 checkpoint takes twice the checkpoint's size in memory).
 * Activations, norms, softmax and the router run in float32 whatever the choice.
 *
 * <p>{@code auto}: the checkpoint's stored dtype, on CUDA (bf16 tensor cores) and on CPU: decoding is memory-bound, and
 * bench/vlm-bench.sh measured the benchmark model (bf16) decoding 2.6× faster in bfloat16 than in float32 on this
 * project's 2-core CPU (prefill, which is compute-bound, was faster in float32). Ask for {@code float32} to check the
 * implementation against a reference or when prompts are long and answers short.
 */
public enum Precision {
    AUTO, FLOAT32, BFLOAT16, FLOAT16;

    /** A resolved precision and why it was chosen (for the log). */
    public record Choice(Precision precision, String reason) {
        public Choice {
            if (precision == AUTO) {
                throw new IllegalArgumentException("a choice is a concrete precision");
            }
        }

        public String id() {
            return precision.id();
        }

        torch.ScalarType scalarType() {
            return switch (precision) {
                case FLOAT32 -> torch.ScalarType.Float;
                case BFLOAT16 -> torch.ScalarType.BFloat16;
                case FLOAT16 -> torch.ScalarType.Half;
                case AUTO -> throw new IllegalStateException();
            };
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Precision parse(String s) {
        String v = s == null ? "auto" : s.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "auto" -> AUTO;
            case "float32", "fp32", "f32" -> FLOAT32;
            case "bfloat16", "bf16" -> BFLOAT16;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            default -> throw new IllegalArgumentException("quire.vlm.dtype must be auto, float32, bfloat16 or float16; got '"
                    + s + "'");
        };
    }

    static Precision of(DType stored) {
        return switch (stored) {
            case F32 -> FLOAT32;
            case BF16 -> BFLOAT16;
            case F16 -> FLOAT16;
            default -> throw new IllegalArgumentException(stored + " is not a weight dtype");
        };
    }

    /** The concrete precision for weights stored as {@code stored} on {@code device}. */
    public Choice resolve(DType stored, TorchDevice device) {
        if (this != AUTO) {
            return new Choice(this, "requested " + id() + " (weights stored as " + stored + ")");
        }
        if (!device.isCpu()) {
            return new Choice(of(stored), "auto: the checkpoint's stored dtype " + stored + " on " + device.spec());
        }
        return new Choice(of(stored), "auto: the checkpoint's stored dtype " + stored
                + " on cpu (decode measured faster than float32 for bf16 weights; quire.vlm.dtype=float32 for reference precision)");
    }
}
