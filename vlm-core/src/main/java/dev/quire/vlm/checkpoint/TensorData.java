package dev.quire.vlm.checkpoint;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a checkpoint: its type, shape, and its bytes as a slice of the memory-mapped file
 * (never copied onto the Java heap). Valid while its {@link SafetensorsFile} is open.
 */
public record TensorData(String name, DType dtype, long[] shape, MemorySegment data, Path file) {

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public float get(long i) {
        return dtype.read(data, i);
    }

    /** Copies the tensor into a float array (for tests and small tensors only). */
    public float[] toFloats() {
        long n = elements();
        if (n > Integer.MAX_VALUE) {
            throw new CheckpointError(name + " has " + n + " elements, too many for a Java array");
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.read(data, i);
        }
        return out;
    }

    public TensorData expectShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new CheckpointError("tensor " + name + " in " + file.getFileName() + " has shape " + Arrays.toString(shape)
                    + ", the configuration needs " + Arrays.toString(expected));
        }
        return this;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " in " + file.getFileName();
    }
}
