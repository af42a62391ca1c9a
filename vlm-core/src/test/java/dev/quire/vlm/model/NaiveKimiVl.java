package dev.quire.vlm.model;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.config.TextConfig;
import dev.quire.vlm.config.VisionConfig;
import dev.quire.vlm.image.ImageProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An independent reference for Kimi-VL, written from the published formulas with plain loops in double precision.
 * It shares nothing with the engine but the checkpoint reader: attention is computed in the expanded (not absorbed)
 * MLA form, the text RoPE the DeepSeek way (de-interleave, then rotate-half), the position embedding with PyTorch's
 * bicubic rule written out, erf from its series. Slow, and only for tiny checkpoints.
 */
final class NaiveKimiVl {
    private final Checkpoint ck;
    private final VisionConfig vc;
    private final TextConfig tc;

    NaiveKimiVl(Checkpoint ck) {
        this.ck = ck;
        this.vc = ck.config().vision();
        this.tc = ck.config().text();
    }

    double[] w(String name) {
        float[] f = ck.tensor(name, shapeOf(name)).toFloats();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private long[] shapeOf(String name) {
        return WeightLayout.of(ck.config()).tensors().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no tensor " + name)).shape();
    }

    // ---------------------------------------------------------------- vision

    /** Vision tower + merge: one row of merged features (m²·D) per LLM token, images in order. */
    double[][] vision(List<ImageProcessor.Patches> images) {
        int d = vc.hiddenSize();
        int p = vc.patchSize();
        double[] conv = w(WeightLayout.VISION + "patch_embed.proj.weight");
        double[] convB = w(WeightLayout.VISION + "patch_embed.proj.bias");
        double[] pos = w(WeightLayout.VISION + "patch_embed.pos_emb.weight");
        List<double[][]> perImage = new ArrayList<>();
        for (ImageProcessor.Patches im : images) {
            int n = im.count();
            double[][] x = new double[n][d];
            double[][] pe = bicubicPositions(pos, vc.posEmbHeight(), vc.posEmbWidth(), d, im.gridHeight(), im.gridWidth());
            for (int t = 0; t < n; t++) {
                for (int o = 0; o < d; o++) {
                    double s = convB[o];
                    for (int k = 0; k < 3 * p * p; k++) {
                        s += conv[o * 3 * p * p + k] * im.pixels()[t * 3 * p * p + k];
                    }
                    x[t][o] = s + pe[t][o];
                }
            }
            perImage.add(x);
        }
        List<double[]> merged = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageProcessor.Patches im = images.get(i);
            double[][] x = perImage.get(i);
            for (int b = 0; b < vc.numLayers(); b++) {
                x = visionBlock(x, b, im.gridHeight(), im.gridWidth());
            }
            String f = WeightLayout.VISION + "encoder.final_layernorm.";
            double[] fw = w(f + "weight");
            double[] fb = w(f + "bias");
            for (int t = 0; t < x.length; t++) {
                x[t] = layerNorm(x[t], fw, fb);
            }
            int mh = vc.mergeHeight();
            int mw = vc.mergeWidth();
            for (int r = 0; r < im.gridHeight() / mh; r++) {
                for (int c = 0; c < im.gridWidth() / mw; c++) {
                    double[] row = new double[mh * mw * d];
                    for (int i2 = 0; i2 < mh; i2++) {
                        for (int j = 0; j < mw; j++) {
                            int src = (r * mh + i2) * im.gridWidth() + (c * mw + j);
                            System.arraycopy(x[src], 0, row, (i2 * mw + j) * d, d);
                        }
                    }
                    merged.add(row);
                }
            }
        }
        return merged.toArray(new double[0][]);
    }

    private double[][] visionBlock(double[][] x, int b, int gh, int gw) {
        String p = WeightLayout.VISION + "encoder.blocks." + b + ".";
        int d = vc.hiddenSize();
        int heads = vc.numHeads();
        int hd = vc.headDim();
        int n = x.length;
        double[] n0w = w(p + "norm0.weight"), n0b = w(p + "norm0.bias"), n1w = w(p + "norm1.weight"), n1b = w(p + "norm1.bias");
        double[] qkvW = w(p + "wqkv.weight"), qkvB = w(p + "wqkv.bias"), woW = w(p + "wo.weight"), woB = w(p + "wo.bias");
        double[] f0W = w(p + "mlp.fc0.weight"), f0B = w(p + "mlp.fc0.bias"), f1W = w(p + "mlp.fc1.weight"), f1B = w(p + "mlp.fc1.bias");
        double[][] q = new double[n][], k = new double[n][], v = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] qkv = matvec(qkvW, qkvB, layerNorm(x[t], n0w, n0b), 3 * d);
            q[t] = rope2d(Arrays.copyOfRange(qkv, 0, d), t / gw, t % gw, heads, hd);
            k[t] = rope2d(Arrays.copyOfRange(qkv, d, 2 * d), t / gw, t % gw, heads, hd);
            v[t] = Arrays.copyOfRange(qkv, 2 * d, 3 * d);
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] attn = new double[d];
            for (int h = 0; h < heads; h++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int u = 0; u < n; u++) {
                    double dot = 0;
                    for (int j = 0; j < hd; j++) {
                        dot += q[t][h * hd + j] * k[u][h * hd + j];
                    }
                    s[u] = dot / Math.sqrt(hd);
                    max = Math.max(max, s[u]);
                }
                double z = 0;
                for (int u = 0; u < n; u++) {
                    s[u] = Math.exp(s[u] - max);
                    z += s[u];
                }
                for (int u = 0; u < n; u++) {
                    for (int j = 0; j < hd; j++) {
                        attn[h * hd + j] += s[u] / z * v[u][h * hd + j];
                    }
                }
            }
            double[] y = add(x[t], matvec(woW, woB, attn, d));
            double[] hmid = matvec(f0W, f0B, layerNorm(y, n1w, n1b), vc.intermediateSize());
            for (int j = 0; j < hmid.length; j++) {
                double a = hmid[j];
                hmid[j] = 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)));
            }
            out[t] = add(y, matvec(f1W, f1B, hmid, d));
        }
        return out;
    }

    /** Complex pair k of each head turns by (k even: column, k odd: row) × 10000^(−4⌊k/2⌋/hd). */
    private static double[] rope2d(double[] x, int row, int col, int heads, int hd) {
        double[] out = new double[x.length];
        for (int h = 0; h < heads; h++) {
            for (int k = 0; k < hd / 2; k++) {
                double angle = (k % 2 == 0 ? col : row) * Math.pow(10000, -4.0 * (k / 2) / hd);
                double re = x[h * hd + 2 * k];
                double im = x[h * hd + 2 * k + 1];
                out[h * hd + 2 * k] = re * Math.cos(angle) - im * Math.sin(angle);
                out[h * hd + 2 * k + 1] = re * Math.sin(angle) + im * Math.cos(angle);
            }
        }
        return out;
    }

    /** PyTorch bicubic (A = −0.75, align_corners = False, borders clamped), (ph, pw, d) → (h·w, d). */
    static double[][] bicubicPositions(double[] pos, int ph, int pw, int d, int h, int w) {
        double[][] out = new double[h * w][d];
        for (int oy = 0; oy < h; oy++) {
            double sy = (oy + 0.5) * ((double) ph / h) - 0.5;
            int iy = (int) Math.floor(sy);
            double[] wy = cubicWeights(sy - iy);
            for (int ox = 0; ox < w; ox++) {
                double sx = (ox + 0.5) * ((double) pw / w) - 0.5;
                int ix = (int) Math.floor(sx);
                double[] wx = cubicWeights(sx - ix);
                for (int m = 0; m < 4; m++) {
                    int yy = Math.min(ph - 1, Math.max(0, iy - 1 + m));
                    for (int n2 = 0; n2 < 4; n2++) {
                        int xx = Math.min(pw - 1, Math.max(0, ix - 1 + n2));
                        double c = wy[m] * wx[n2];
                        for (int j = 0; j < d; j++) {
                            out[oy * w + ox][j] += c * pos[(yy * pw + xx) * d + j];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static double[] cubicWeights(double t) {
        double a = -0.75;
        double[] xs = {1 + t, t, 1 - t, 2 - t};
        double[] out = new double[4];
        for (int i = 0; i < 4; i++) {
            double x = Math.abs(xs[i]);
            out[i] = x < 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a : 0;
        }
        return out;
    }

    // ---------------------------------------------------------------- projector

    double[][] project(double[][] merged) {
        String p = WeightLayout.PROJECTOR;
        int d = vc.hiddenSize();
        int m = vc.mergedSize();
        double[] nw = w(p + "pre_norm.weight"), nb = w(p + "pre_norm.bias");
        double[] l1 = w(p + "linear_1.weight"), b1 = w(p + "linear_1.bias"), l2 = w(p + "linear_2.weight"), b2 = w(p + "linear_2.bias");
        double[][] out = new double[merged.length][];
        for (int t = 0; t < merged.length; t++) {
            double[] normed = new double[m];
            for (int s = 0; s < m / d; s++) {
                double[] sub = layerNorm(Arrays.copyOfRange(merged[t], s * d, (s + 1) * d), nw, nb);
                System.arraycopy(sub, 0, normed, s * d, d);
            }
            double[] h = matvec(l1, b1, normed, m);
            for (int j = 0; j < h.length; j++) {
                h[j] = 0.5 * h[j] * (1 + erf(h[j] / Math.sqrt(2)));
            }
            out[t] = matvec(l2, b2, h, tc.hiddenSize());
        }
        return out;
    }

    // ---------------------------------------------------------------- decoder

    /** Logits at every position of {@code ids}, image rows replacing the media placeholder positions in order. */
    double[][] logits(int[] ids, double[][] imageRows) {
        int hsz = tc.hiddenSize();
        double[] embed = w(WeightLayout.TEXT + "model.embed_tokens.weight");
        int pad = ck.config().mediaPlaceholderTokenId();
        double[][] x = new double[ids.length][];
        int img = 0;
        for (int t = 0; t < ids.length; t++) {
            x[t] = ids[t] == pad ? imageRows[img++].clone() : Arrays.copyOfRange(embed, ids[t] * hsz, (ids[t] + 1) * hsz);
        }
        for (int l = 0; l < tc.numLayers(); l++) {
            String p = WeightLayout.TEXT + "model.layers." + l + ".";
            double[] inW = w(p + "input_layernorm.weight"), postW = w(p + "post_attention_layernorm.weight");
            double[][] a = attention(rms(x, inW), p + "self_attn.");
            for (int t = 0; t < x.length; t++) {
                x[t] = add(x[t], a[t]);
            }
            double[][] h = rms(x, postW);
            for (int t = 0; t < x.length; t++) {
                x[t] = add(x[t], tc.isMoeLayer(l) ? moe(h[t], p + "mlp.") : swiglu(h[t], p + "mlp.", tc.intermediateSize()));
            }
        }
        double[][] normed = rms(x, w(WeightLayout.TEXT + "model.norm.weight"));
        double[] head = w(tc.tieWordEmbeddings() ? WeightLayout.TEXT + "model.embed_tokens.weight" : WeightLayout.TEXT + "lm_head.weight");
        double[][] out = new double[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            out[t] = matvec(head, null, normed[t], tc.vocabSize());
        }
        return out;
    }

    /** Expanded MLA: per head k = [W_uk·c | k_rope], v = W_uv·c; causal softmax(q·k / √(nope+rope))·v. */
    private double[][] attention(double[][] x, String p) {
        int n = x.length;
        int heads = tc.numHeads();
        int nope = tc.qkNopeHeadDim(), r = tc.qkRopeHeadDim(), vd = tc.vHeadDim(), lora = tc.kvLoraRank();
        int qd = nope + r;
        double[][] q = new double[n][];
        double[][] kNope = new double[n][], vv = new double[n][], kRope = new double[n][];
        double[] kvA = w(p + "kv_a_proj_with_mqa.weight"), kvNorm = w(p + "kv_a_layernorm.weight"), kvB = w(p + "kv_b_proj.weight");
        for (int t = 0; t < n; t++) {
            double[] qt;
            if (tc.qLoraRank() > 0) {
                double[] a = matvec(w(p + "q_a_proj.weight"), null, x[t], tc.qLoraRank());
                qt = matvec(w(p + "q_b_proj.weight"), null, rms(new double[][] {a}, w(p + "q_a_layernorm.weight"))[0], heads * qd);
            } else {
                qt = matvec(w(p + "q_proj.weight"), null, x[t], heads * qd);
            }
            for (int h = 0; h < heads; h++) {
                double[] pe = ropeDeepSeek(Arrays.copyOfRange(qt, h * qd + nope, (h + 1) * qd), t);
                System.arraycopy(pe, 0, qt, h * qd + nope, r);
            }
            q[t] = qt;
            double[] kv = matvec(kvA, null, x[t], lora + r);
            double[] c = rms(new double[][] {Arrays.copyOfRange(kv, 0, lora)}, kvNorm)[0];
            kRope[t] = ropeDeepSeek(Arrays.copyOfRange(kv, lora, lora + r), t);
            double[] up = matvec(kvB, null, c, heads * (nope + vd));
            kNope[t] = new double[heads * nope];
            vv[t] = new double[heads * vd];
            for (int h = 0; h < heads; h++) {
                System.arraycopy(up, h * (nope + vd), kNope[t], h * nope, nope);
                System.arraycopy(up, h * (nope + vd) + nope, vv[t], h * vd, vd);
            }
        }
        double[] oW = w(p + "o_proj.weight");
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] cat = new double[heads * vd];
            for (int h = 0; h < heads; h++) {
                double[] s = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int u = 0; u <= t; u++) {
                    double dot = 0;
                    for (int j = 0; j < nope; j++) {
                        dot += q[t][h * qd + j] * kNope[u][h * nope + j];
                    }
                    for (int j = 0; j < r; j++) {
                        dot += q[t][h * qd + nope + j] * kRope[u][j];
                    }
                    s[u] = dot / Math.sqrt(qd);
                    max = Math.max(max, s[u]);
                }
                double z = 0;
                for (int u = 0; u <= t; u++) {
                    s[u] = Math.exp(s[u] - max);
                    z += s[u];
                }
                for (int u = 0; u <= t; u++) {
                    for (int j = 0; j < vd; j++) {
                        cat[h * vd + j] += s[u] / z * vv[u][h * vd + j];
                    }
                }
            }
            out[t] = matvec(oW, null, cat, tc.hiddenSize());
        }
        return out;
    }

    /** DeepSeek's way: de-interleave (x0,x2,…,x1,x3,…), then x·cos + rotate_half(x)·sin with cos = [f, f]. */
    private double[] ropeDeepSeek(double[] x, int pos) {
        int d = x.length;
        double[] de = new double[d];
        for (int i = 0; i < d / 2; i++) {
            de[i] = x[2 * i];
            de[i + d / 2] = x[2 * i + 1];
        }
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            int j = i % (d / 2);
            double angle = pos * Math.pow(tc.ropeTheta(), -2.0 * j / d);
            double rotated = i < d / 2 ? -de[i + d / 2] : de[i - d / 2];
            out[i] = de[i] * Math.cos(angle) + rotated * Math.sin(angle);
        }
        return out;
    }

    private double[] moe(double[] x, String p) {
        int e = tc.nRoutedExperts();
        int k = tc.numExpertsPerTok();
        double[] gate = w(p + "gate.weight"), bias = w(p + "gate.e_score_correction_bias");
        double[] logits = matvec(gate, null, x, e);
        double[] score = new double[e];
        double[] choice = new double[e];
        for (int i = 0; i < e; i++) {
            score[i] = 1 / (1 + Math.exp(-logits[i]));
            choice[i] = score[i] + bias[i];
        }
        if (tc.nGroup() > 1) {
            int per = e / tc.nGroup();
            double[] g = new double[tc.nGroup()];
            for (int gi = 0; gi < g.length; gi++) {
                double[] in = Arrays.copyOfRange(choice, gi * per, (gi + 1) * per);
                Arrays.sort(in);
                g[gi] = in[per - 1] + (per > 1 ? in[per - 2] : 0);
            }
            Integer[] order = new Integer[g.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(g[b], g[a]));
            boolean[] keep = new boolean[g.length];
            for (int i = 0; i < tc.topkGroup(); i++) {
                keep[order[i]] = true;
            }
            for (int i = 0; i < e; i++) {
                if (!keep[i / per]) {
                    choice[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        Integer[] order = new Integer[e];
        for (int i = 0; i < e; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(choice[b], choice[a]));
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += score[order[i]];
        }
        double[] out = new double[x.length];
        for (int i = 0; i < k; i++) {
            int ex = order[i];
            double weight = (tc.normTopkProb() && k > 1 ? score[ex] / (sum + 1e-20) : score[ex]) * tc.routedScalingFactor();
            double[] y = swiglu(x, p + "experts." + ex + ".", tc.moeIntermediateSize());
            for (int j = 0; j < out.length; j++) {
                out[j] += weight * y[j];
            }
        }
        if (tc.nSharedExperts() > 0) {
            out = add(out, swiglu(x, p + "shared_experts.", tc.moeIntermediateSize() * tc.nSharedExperts()));
        }
        return out;
    }

    private double[] swiglu(double[] x, String p, int inner) {
        double[] g = matvec(w(p + "gate_proj.weight"), null, x, inner);
        double[] u = matvec(w(p + "up_proj.weight"), null, x, inner);
        for (int i = 0; i < inner; i++) {
            g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return matvec(w(p + "down_proj.weight"), null, g, x.length);
    }

    // ---------------------------------------------------------------- arithmetic

    private double[][] rms(double[][] x, double[] w) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ms = 0;
            for (double v : x[t]) {
                ms += v * v;
            }
            double inv = 1 / Math.sqrt(ms / x[t].length + tc.rmsNormEps());
            out[t] = new double[x[t].length];
            for (int i = 0; i < w.length; i++) {
                out[t][i] = x[t][i] * inv * w[i];
            }
        }
        return out;
    }

    static double[] layerNorm(double[] x, double[] w, double[] b) {
        double mean = Arrays.stream(x).average().orElse(0);
        double var = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).average().orElse(0);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) / Math.sqrt(var + 1e-5) * w[i] + b[i];
        }
        return out;
    }

    /** W (rows × x.length, row-major) · x + b. */
    static double[] matvec(double[] w, double[] b, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = b == null ? 0 : b[r];
            for (int c = 0; c < x.length; c++) {
                s += w[r * x.length + c] * x[c];
            }
            out[r] = s;
        }
        return out;
    }

    static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** erf by its Maclaurin series (|x| < 5), ±1 beyond (error < 2e-12). */
    static double erf(double x) {
        if (Math.abs(x) >= 5) {
            return Math.signum(x);
        }
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
