package dev.quire.vlm.model;

import dev.quire.vlm.config.VisionConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * MoonViT: patch embedding, the blocks over all images packed into one sequence, the final LayerNorm, then the
 * patch merge that gathers each (merge × merge) square of patches into one token.
 * (L, 3·p·p) patches of images with grids (h_i, w_i) → (Σ h_i·w_i / merge², merge²·D).
 */
final class VisionTower {
    private static final double ROPE_THETA = 10000.0;
    private final VisionConfig c;
    private final PatchEmbed embed;
    private final List<VisionBlock> blocks = new ArrayList<>();
    private final Tensor finalW, finalB;

    VisionTower(Weights w, VisionConfig c) {
        this.c = c;
        embed = new PatchEmbed(w, c);
        for (int i = 0; i < c.numLayers(); i++) {
            blocks.add(new VisionBlock(w, c, i));
        }
        String p = WeightLayout.VISION + "encoder.final_layernorm.";
        finalW = w.f32(p + "weight", c.hiddenSize());
        finalB = w.f32(p + "bias", c.hiddenSize());
    }

    Tensor apply(Tensor patches, List<int[]> grids) {
        int[] lengths = grids.stream().mapToInt(g -> g[0] * g[1]).toArray();
        Rope2D rope = new Rope2D(grids, c.headDim(), ROPE_THETA);
        List<java.util.function.UnaryOperator<Tensor>> steps = blocks.stream()
                .<java.util.function.UnaryOperator<Tensor>>map(b -> in -> b.apply(in, rope, lengths)).toList();
        Tensor x = Norms.layerNorm(Step.through(embed.apply(patches, grids), steps), finalW, finalB, 1e-5);
        return merge(x, grids);
    }

    /** Per image: (h·w, D) → view(h/m, m, w/m, m, D) → permute → (h/m · w/m, m·m·D), row-major blocks. */
    private Tensor merge(Tensor x, List<int[]> grids) {
        long d = c.hiddenSize();
        int mh = c.mergeHeight();
        int mw = c.mergeWidth();
        List<Tensor> out = new ArrayList<>();
        long start = 0;
        for (int[] g : grids) {
            long n = (long) g[0] * g[1];
            Tensor img = x.narrow(0, start, n).reshape(g[0] / mh, mh, g[1] / mw, mw, d).permute(0, 2, 1, 3, 4);
            out.add(img.reshape((long) (g[0] / mh) * (g[1] / mw), mh * mw * d));
            start += n;
        }
        return out.size() == 1 ? out.getFirst() : torch.cat(new TensorVector(out.toArray(new Tensor[0])), 0);
    }
}
