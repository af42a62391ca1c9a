package dev.quire.vlm.model;

import dev.quire.vlm.config.VisionConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Patches → vectors: the 14×14 convolution as one matrix product, plus the learned 2D position embedding
 * resampled bicubically (align_corners=False) to each image's grid. (L, 3·p·p) → (L, D).
 */
final class PatchEmbed {
    private final Linear proj;
    private final Tensor posEmb; // (ph, pw, D) float32
    private final VisionConfig c;

    PatchEmbed(Weights w, VisionConfig c) {
        this.c = c;
        String p = WeightLayout.VISION + "patch_embed.";
        long d = c.hiddenSize();
        Tensor conv = w.matrix(p + "proj.weight", d, 3, c.patchSize(), c.patchSize());
        this.proj = new Linear(conv.reshape(d, 3L * c.patchSize() * c.patchSize()), w.f32(p + "proj.bias", d));
        this.posEmb = w.f32(p + "pos_emb.weight", c.posEmbHeight(), c.posEmbWidth(), d);
    }

    Tensor apply(Tensor patches, List<int[]> grids) {
        Tensor x = proj.apply(patches);
        List<Tensor> pos = new ArrayList<>();
        for (int[] g : grids) {
            pos.add(positions(g[0], g[1]));
        }
        return x.add(pos.size() == 1 ? pos.getFirst() : torch.cat(new TensorVector(pos.toArray(new Tensor[0])), 0));
    }

    /** (h·w, D): the position embedding for an h × w grid, row-major. */
    private Tensor positions(int h, int w) {
        long d = c.hiddenSize();
        if (h == c.posEmbHeight() && w == c.posEmbWidth()) {
            return posEmb.reshape((long) h * w, d);
        }
        Tensor img = posEmb.permute(2, 0, 1).unsqueeze(0); // (1, D, ph, pw)
        Tensor resized = torch.upsample_bicubic2d(img, new long[] {h, w}, false); // (1, D, h, w)
        return resized.squeeze(0).permute(1, 2, 0).reshape((long) h * w, d);
    }
}
