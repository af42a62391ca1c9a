package dev.quire.vlm.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Safetensors element types. Model weights must be one of the floating types F32, F16 or BF16. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public boolean isFloating() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** Element {@code i} of a little-endian tensor of this type, as a float (floating types only). */
    public float read(MemorySegment data, long i) {
        return switch (this) {
            case F32 -> data.get(F32_LE, i * 4);
            case BF16 -> Float.intBitsToFloat((data.get(I16_LE, i * 2) & 0xffff) << 16);
            case F16 -> Float.float16ToFloat(data.get(I16_LE, i * 2));
            case F64 -> (float) data.get(F64_LE, i * 8);
            default -> throw new IllegalStateException(this + " is not a floating type");
        };
    }

    /** Writes {@code v} as element {@code i} (round-to-nearest-even for BF16 and F16). */
    public void write(MemorySegment data, long i, float v) {
        switch (this) {
            case F32 -> data.set(F32_LE, i * 4, v);
            case BF16 -> data.set(I16_LE, i * 2, toBf16(v));
            case F16 -> data.set(I16_LE, i * 2, Float.floatToFloat16(v));
            case F64 -> data.set(F64_LE, i * 8, v);
            default -> throw new IllegalStateException(this + " is not a floating type");
        }
    }

    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static DType parse(String name, String where) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CheckpointError(where + ": unknown dtype \"" + name + "\"");
        }
    }
}
