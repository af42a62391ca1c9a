package dev.quire.vlm.image;

/**
 * Bicubic resampling as PIL's {@code Image.resize(..., BICUBIC)} does it: separable passes (horizontal, then
 * vertical), the cubic kernel with a = −0.5, the kernel widened by the scale factor when shrinking (antialias),
 * weights normalised per output pixel, and 8-bit rounding and clamping after each pass.
 */
final class Resample {
    private static final double A = -0.5;
    private static final double SUPPORT = 2.0;

    private Resample() {
    }

    static int[] bicubic(int[] argb, int w, int h, int outW, int outH) {
        int[][] channels = new int[3][w * h];
        for (int i = 0; i < w * h; i++) {
            channels[0][i] = (argb[i] >> 16) & 255;
            channels[1][i] = (argb[i] >> 8) & 255;
            channels[2][i] = argb[i] & 255;
        }
        int[] out = new int[outW * outH];
        for (int c = 0; c < 3; c++) {
            int[] horizontal = pass(channels[c], w, h, outW, true);
            int[] both = pass(horizontal, outW, h, outH, false);
            int shift = 16 - 8 * c;
            for (int i = 0; i < out.length; i++) {
                out[i] |= both[i] << shift;
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] |= 0xff000000;
        }
        return out;
    }

    /** Resamples along x ({@code alongX}) or y; {@code w × h} in, the resampled axis becomes {@code outSize}. */
    private static int[] pass(int[] in, int w, int h, int outSize, boolean alongX) {
        int inSize = alongX ? w : h;
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int[] starts = new int[outSize];
        double[][] weights = new double[outSize][];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), inSize);
            double[] k = new double[Math.max(0, hi - lo)];
            double sum = 0;
            for (int i = 0; i < k.length; i++) {
                k[i] = cubic((i + lo - center + 0.5) / filterScale);
                sum += k[i];
            }
            if (sum != 0) {
                for (int i = 0; i < k.length; i++) {
                    k[i] /= sum;
                }
            }
            starts[o] = lo;
            weights[o] = k;
        }
        int outW = alongX ? outSize : w;
        int outH = alongX ? h : outSize;
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = alongX ? x : y;
                double[] k = weights[o];
                double acc = 0;
                for (int i = 0; i < k.length; i++) {
                    int src = starts[o] + i;
                    acc += k[i] * (alongX ? in[y * w + src] : in[src * w + x]);
                }
                out[y * outW + x] = Math.min(255, Math.max(0, (int) Math.round(acc)));
            }
        }
        return out;
    }

    private static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1) {
            return ((A + 2) * x - (A + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0;
    }
}
