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
     * Per-expert matrices stacked along a new first dimension: expert e's {@code groups.get(e)} matrices (each
     * {@code rows × cols}) one below the other, so the result is {@code (E, g·rows, cols)} in the compute dtype on the
     * device. Where the file already holds them that way — each group's matrices adjacent, the groups at one fixed
     * stride, in any expert order — and no conversion or device copy is needed, the stack is a strided view of the
     * mapping (no copy) and {@code order[e]} is expert e's place in it. Otherwise the matrices are copied once into
     * a stack in expert order.
     */
    Stack stack(java.util.List<String[]> groups, long rows, long cols) {
        Stack view = device.isCpu() ? strided(groups, rows, cols) : null;
        return view != null ? view : copiedStack(groups, rows, cols);
    }

    /** The stack as a copy in expert order (see {@link #stack}). */
    Stack copiedStack(java.util.List<String[]> groups, long rows, long cols) {
        java.util.List<Tensor> views = new java.util.ArrayList<>();
        for (String[] g : groups) {
            for (String n : g) {
                views.add(view(n, rows, cols));
            }
        }
        Tensor cpu = torch.stack(new org.bytedeco.pytorch.TensorVector(views.toArray(new Tensor[0])));
        Tensor out = cpu.to(device.device(), compute).contiguous().reshape(groups.size(), groups.getFirst().length * rows, cols);
        cpu.close(); // frees the CPU stack now when out is a converted or device copy (out keeps its own reference)
        for (Tensor v : views) {
            v.close();
        }
        return new Stack(out, null, true);
    }

    /**
     * Stacked experts: {@code order[e]} is expert e's index in {@code tensor} (null = e itself); {@code copied} says
     * whether the stack is a copy made at load (else a view of the mapped file).
     */
    record Stack(Tensor tensor, long[] order, boolean copied) {
    }

    private Stack strided(java.util.List<String[]> groups, long rows, long cols) {
        int e = groups.size();
        long[] starts = new long[e];
        DType dtype = null;
        java.nio.file.Path file = null;
        long matrixBytes = 0;
        for (int i = 0; i < e; i++) {
            String[] g = groups.get(i);
            long next = -1;
            for (String n : g) {
                TensorData t = checkpoint.tensor(n, rows, cols);
                if (dtype == null) {
                    dtype = t.dtype();
                    file = t.file();
                    matrixBytes = t.data().byteSize();
                }
                long at = t.data().address();
                if (t.dtype() != dtype || !t.file().equals(file) || t.data().byteSize() != matrixBytes || (next >= 0 && at != next)) {
                    return null;
                }
                if (next < 0) {
                    starts[i] = at;
                }
                next = at + matrixBytes;
            }
        }
        if (scalarType(dtype) != compute) {
            return null; // a conversion copies anyway
        }
        Integer[] byAddress = new Integer[e];
        for (int i = 0; i < e; i++) {
            byAddress[i] = i;
        }
        java.util.Arrays.sort(byAddress, java.util.Comparator.comparingLong(i -> starts[i]));
        long base = starts[byAddress[0]];
        long groupBytes = matrixBytes * groups.getFirst().length;
        long stride = e > 1 ? starts[byAddress[1]] - base : groupBytes;
        long[] order = new long[e];
        boolean identity = true;
        for (int p = 0; p < e; p++) {
            if (starts[byAddress[p]] != base + p * stride) {
                return null;
            }
            order[byAddress[p]] = p;
            identity &= byAddress[p] == p;
        }
        if (stride < groupBytes) {
            return null;
        }
        long elementBytes = matrixBytes / (rows * cols);
        long span = ((e - 1) * stride + groupBytes) / elementBytes;
        Tensor flat = torch.from_blob(new Pointer() {
            {
                address = base;
            }
        }, new long[] {span}, new TensorOptions().dtype(new ScalarTypeOptional(scalarType(dtype))));
        Tensor stacked = flat.as_strided(new long[] {e, groups.getFirst().length * rows, cols},
                new long[] {stride / elementBytes, cols, 1});
        return new Stack(stacked, identity ? null : order, false);
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
