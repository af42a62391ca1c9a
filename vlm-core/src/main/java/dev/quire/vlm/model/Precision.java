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
 * <p>{@code auto}: on CUDA the checkpoint's stored dtype (bf16 tensor cores); on CPU float32, because the benchmark
 * model decodes faster in float32 than in bfloat16 on CPUs without bf16 matrix units (bench/vlm-bench.sh measures
 * both in one run), and float32 is the precision that reproduces the published model most closely.
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
        return new Choice(FLOAT32, "auto: float32 on cpu (weights stored as " + stored
                + "; measured faster than bfloat16 on CPU, and closest to the published model)");
    }
}
