package dev.quire.vlm.model;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.checkpoint.DType;
import dev.quire.vlm.checkpoint.TensorData;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Turns checkpoint tensors into libtorch tensors. On CPU a matrix is a view of the memory-mapped file
 * ({@code from_blob}: zero-copy, never on the Java heap); on CUDA it is copied to the device once.
 * Vectors (norms, biases) are small and converted to float32.
 */
final class Weights {
    private final Checkpoint checkpoint;
    private final TorchDevice device;
    private final torch.ScalarType compute;

    /** @param compute the dtype matrices are computed in ({@link Precision}) */
    Weights(Checkpoint checkpoint, TorchDevice device, Precision.Choice compute) {
        this.checkpoint = checkpoint;
        this.device = device;
        this.compute = compute.scalarType();
    }

    /** A weight matrix in the compute dtype, on the device. */
    Tensor matrix(String name, long... shape) {
        // On CPU in the stored dtype this is the mapped view itself (to() copies nothing); otherwise one conversion
        // or copy to the device, made once at load.
        return view(name, shape).to(device.device(), compute);
    }

    /**
     * Matrices of one shape stacked along a new first dimension, (n, …shape), in the compute dtype on the device:
     * one copy made at load (the stored matrices are separate tensors in the file, so no view can stack them).
     * Built from the mapped views on the CPU, then moved/converted once, so no per-matrix device copies are made.
     */
    Tensor stacked(java.util.List<String> names, long... shape) {
        Tensor[] views = names.stream().map(n -> view(n, shape)).toArray(Tensor[]::new);
        Tensor cpu = torch.stack(new org.bytedeco.pytorch.TensorVector(views));
        Tensor out = cpu.to(device.device(), compute).contiguous();
        cpu.close(); // frees the CPU stack now when out is a converted or device copy (out keeps its own reference)
        for (Tensor v : views) {
            v.close();
        }
        return out;
    }

    /** A weight converted to float32 from its stored values (small tensors, and those used in float32 arithmetic). */
    Tensor f32(String name, long... shape) {
        return view(name, shape).to(device.device(), torch.ScalarType.Float).contiguous();
    }

    /** The mapped tensor in its stored dtype (zero-copy view of the file). */
    private Tensor view(String name, long... shape) {
        TensorData t = checkpoint.tensor(name, shape);
        return torch.from_blob(new Pointer() {
            {
                address = t.data().address();
            }
        }, shape, new TensorOptions().dtype(new ScalarTypeOptional(scalarType(t.dtype()))));
    }

    Linear linear(String prefix, long out, long in, boolean bias) {
        return new Linear(matrix(prefix + ".weight", out, in), bias ? f32(prefix + ".bias", out) : null);
    }

    boolean has(String name) {
        return checkpoint.has(name);
    }

    static torch.ScalarType scalarType(DType d) {
        return switch (d) {
            case F32 -> torch.ScalarType.Float;
            case BF16 -> torch.ScalarType.BFloat16;
            case F16 -> torch.ScalarType.Half;
            default -> throw new IllegalArgumentException(d + " is not a weight dtype");
        };
    }
}
