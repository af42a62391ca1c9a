package dev.quire.vlm.model;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.config.TextConfig;
import dev.quire.vlm.image.ImageProcessor;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Kimi-VL: MoonViT → projector → DeepSeek-V3-style decoder → LM head, over one tensor runtime (libtorch) on
 * CPU or CUDA. Weights stay in the memory-mapped checkpoint (CPU) or are copied to the GPU once.
 * Not thread-safe: one call at a time per instance (the engine serialises them); {@link #decode} advances several
 * sessions by one token in one step.
 */
public final class KimiVlModel {
    private final ModelConfig config;
    private final TorchDevice device;
    private final VisionTower vision;
    private final Projector projector;
    private final Tensor embed; // (V, H) stored dtype
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final Tensor finalNorm;
    private final Linear lmHead;
    private final torch.ScalarType cacheType;
    private final Precision.Choice precision;
    private final TextRope rope;

    public KimiVlModel(Checkpoint checkpoint, TorchDevice device) {
        this(checkpoint, device, Precision.AUTO);
    }

    public KimiVlModel(Checkpoint checkpoint, TorchDevice device, Precision precision) {
        this(checkpoint, device, precision, LatentAttention.SCORE_BUDGET);
    }

    public KimiVlModel(Checkpoint checkpoint, TorchDevice device, long scoreBudgetBytes) {
        this(checkpoint, device, Precision.AUTO, scoreBudgetBytes);
    }

    /**
     * @param precision        the compute precision ({@code auto} resolves by device and stored dtype)
     * @param scoreBudgetBytes most bytes of attention scores one layer holds at once (queries are blocked to fit)
     */
    public KimiVlModel(Checkpoint checkpoint, TorchDevice device, Precision precision, long scoreBudgetBytes) {
        this.config = checkpoint.config();
        this.device = device;
        checkpoint.requireAll(WeightLayout.of(config));
        this.precision = precision.resolve(storedDtype(checkpoint), device);
        Weights w = new Weights(checkpoint, device, this.precision);
        TextConfig t = config.text();
        vision = new VisionTower(w, config.vision());
        projector = new Projector(w, config);
        embed = w.matrix(WeightLayout.TEXT + "model.embed_tokens.weight", t.vocabSize(), t.hiddenSize());
        for (int i = 0; i < t.numLayers(); i++) {
            layers.add(new DecoderLayer(w, t, i, scoreBudgetBytes));
        }
        rope = new TextRope(t.qkRopeHeadDim(), t.ropeTheta());
        finalNorm = w.f32(WeightLayout.TEXT + "model.norm.weight", t.hiddenSize());
        lmHead = new Linear(t.tieWordEmbeddings() ? embed
                : w.matrix(WeightLayout.TEXT + "lm_head.weight", t.vocabSize(), t.hiddenSize()), null);
        String kvName = WeightLayout.TEXT + "model.layers.0.self_attn.kv_a_proj_with_mqa.weight";
        cacheType = t.numLayers() > 0 ? w.matrix(kvName, t.kvLoraRank() + t.qkRopeHeadDim(), t.hiddenSize()).scalar_type()
                : torch.ScalarType.Float;
    }

    public ModelConfig config() {
        return config;
    }

    /** The precision the matrix products run in, and why. */
    public Precision.Choice precision() {
        return precision;
    }

    /** The dtype the checkpoint stores its decoder weights in (that of the token embedding). */
    static dev.quire.vlm.checkpoint.DType storedDtype(Checkpoint checkpoint) {
        TextConfig t = checkpoint.config().text();
        return checkpoint.tensor(WeightLayout.TEXT + "model.embed_tokens.weight", t.vocabSize(), t.hiddenSize()).dtype();
    }

    public TorchDevice device() {
        return device;
    }

    /**
     * Image features for the prompt's media-pad positions, in order: all images packed into one vision pass.
     *
     * @return an opaque handle; its rows are the projector outputs ((h/2)(w/2) per image)
     */
    public ImageFeatures encode(List<ImageProcessor.Patches> images) {
        if (images.isEmpty()) {
            return new ImageFeatures(null, 0);
        }
        // Every intermediate tensor is freed when the scope closes; only the features leave it.
        try (PointerScope scope = new PointerScope()) {
            int p = images.getFirst().patchSize();
            List<int[]> grids = new ArrayList<>();
            List<Tensor> pixels = new ArrayList<>();
            for (ImageProcessor.Patches im : images) {
                grids.add(new int[] {im.gridHeight(), im.gridWidth()});
                pixels.add(torch.tensor(im.pixels()).reshape(im.count(), 3L * p * p));
            }
            Tensor all = pixels.size() == 1 ? pixels.getFirst() : torch.cat(new TensorVector(pixels.toArray(new Tensor[0])), 0);
            all = all.to(device.device(), torch.ScalarType.Float);
            Tensor features = projector.apply(vision.apply(all, grids));
            features.retainReference(); // survives the scope; released by ImageFeatures.close()
            return new ImageFeatures(features, features.size(0));
        }
    }

    /**
     * Each image's features on its own (one vision pass over all of them, packed as {@link #encode} does; the
     * attention is block-diagonal per image, so an image's rows do not depend on the others). Each result owns
     * its memory: close each one.
     */
    public List<ImageFeatures> encodeEach(List<ImageProcessor.Patches> images) {
        List<ImageFeatures> out = new ArrayList<>();
        if (images.isEmpty()) {
            return out;
        }
        long merge = (long) config.vision().mergeHeight() * config.vision().mergeWidth();
        try (ImageFeatures all = encode(images); PointerScope scope = new PointerScope()) {
            long start = 0;
            for (ImageProcessor.Patches im : images) {
                long n = im.count() / merge;
                Tensor rows = all.rows().narrow(0, start, n).clone();
                rows.retainReference();
                out.add(new ImageFeatures(rows, n));
                start += n;
            }
        }
        return out;
    }

    /** Image features on the device (rows in prompt order). Close to free them. */
    public record ImageFeatures(Tensor rows, long count) implements AutoCloseable {
        /** The rows of {@code parts} one after the other, in a tensor of their own (close it; the parts stay). */
        public static ImageFeatures concat(List<ImageFeatures> parts) {
            List<ImageFeatures> some = parts.stream().filter(p -> p.rows() != null).toList();
            if (some.isEmpty()) {
                return new ImageFeatures(null, 0);
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor all = torch.cat(new TensorVector(some.stream().map(ImageFeatures::rows).toArray(Tensor[]::new)), 0);
                all.retainReference();
                return new ImageFeatures(all, all.size(0));
            }
        }

        /** Bytes the rows take on the device. */
        public long bytes() {
            return rows == null ? 0 : rows.numel() * rows.element_size();
        }

        @Override
        public void close() {
            if (rows != null && !rows.isNull()) {
                rows.releaseReference();
            }
        }
    }

    /**
     * The decode floor: nanoseconds to multiply one token's vector through every weight matrix a decoded token
     * multiplies (each layer's attention projections and absorbed per-head products, router, top-k experts, shared
     * experts or dense MLP; the LM head), with the same matmuls in the same dtypes and nothing else — no norms,
     * attention, routing or copies. Best of {@code repeats}.
     */
    public long matmulFloorNanos(int repeats) {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> matrices = new ArrayList<>();
            List<Tensor> perHead = new ArrayList<>();
            for (DecoderLayer l : layers) {
                l.products(matrices, perHead);
            }
            matrices.add(lmHead.weight());
            List<Tensor> inputs = new ArrayList<>();
            for (Tensor m : matrices) {
                inputs.add(torch.ones(1, m.size(1)).to(m.device(), m.scalar_type()));
            }
            List<Tensor> headInputs = new ArrayList<>();
            for (Tensor m : perHead) {
                headInputs.add(torch.ones(m.size(0), 1, m.size(1)).to(m.device(), m.scalar_type()));
            }
            long best = Long.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                try (PointerScope step = new PointerScope()) {
                    long t0 = System.nanoTime();
                    Tensor last = null;
                    for (int i = 0; i < matrices.size(); i++) {
                        last = inputs.get(i).matmul(matrices.get(i).t());
                    }
                    for (int i = 0; i < perHead.size(); i++) {
                        last = headInputs.get(i).matmul(perHead.get(i));
                    }
                    last.cpu(); // waits for the device (CUDA runs asynchronously)
                    best = Math.min(best, System.nanoTime() - t0);
                }
            }
            return best;
        }
    }

    /**
     * How the routed experts are held: "views of the checkpoint" (stacked in place, no copy; ", reordered" when the
     * file's expert order is not numeric), "copied at load (N MB)", or "none" (no MoE layer).
     */
    public String expertStorage() {
        long copiedBytes = 0;
        boolean any = false;
        boolean reordered = false;
        for (DecoderLayer l : layers) {
            MoeLayer m = l.moe();
            if (m != null) {
                any = true;
                copiedBytes += m.copiedBytes();
                reordered |= m.reordered();
            }
        }
        if (!any) {
            return "none";
        }
        return copiedBytes > 0 ? String.format(java.util.Locale.ROOT, "copied at load (%.0f MB)", copiedBytes / 1e6)
                : "views of the checkpoint" + (reordered ? ", reordered" : "");
    }

    /** Decoder layers. */
    public int numLayers() {
        return layers.size();
    }

    /** A fresh latent cache for {@code capacity} positions. */
    public Session session(int capacity) {
        TextConfig t = config.text();
        return new Session(new LatentCache(t.numLayers(), capacity, t.latentCacheWidth(), cacheType, device));
    }

    /** A fresh latent cache for {@code capacity} positions that starts as a copy of {@code prefix}. */
    public Session session(int capacity, Prefix prefix) {
        TextConfig t = config.text();
        LatentCache cache = new LatentCache(t.numLayers(), capacity, t.latentCacheWidth(), cacheType, device);
        cache.copyFrom(prefix.latents, prefix.length);
        return new Session(cache);
    }

    /** Bytes a prefix of {@code positions} positions takes ({@link Session#snapshot}), before making it. */
    public long prefixBytes(long positions) {
        TextConfig t = config.text();
        return (long) t.numLayers() * positions * t.latentCacheWidth() * LatentCache.elementSize(cacheType);
    }

    /**
     * A prefilled prompt prefix: a compact copy of a session's latents (every layer, {@code length} positions).
     * Sessions continue from copies of it ({@link #session(int, Prefix)}), so it can serve any number of them.
     * Close to free it.
     */
    public static final class Prefix implements AutoCloseable {
        private final Tensor[] latents;
        private final long length;
        private final long bytes;

        private Prefix(Tensor[] latents, long length, long bytes) {
            this.latents = latents;
            this.length = length;
            this.bytes = bytes;
        }

        public long length() {
            return length;
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            for (Tensor t : latents) {
                if (t != null && !t.isNull()) {
                    t.releaseReference();
                }
            }
        }
    }

    /** One request's decoding state: the latent cache and the number of positions filled. */
    public final class Session implements AutoCloseable {
        private final LatentCache cache;

        private Session(LatentCache cache) {
            this.cache = cache;
        }

        /** Frees the latent cache now. */
        @Override
        public void close() {
            cache.close();
        }

        /** Positions filled so far. */
        public long length() {
            return cache.length();
        }

        /** A copy of the latents filled so far, to continue other sessions from ({@link #session(int, Prefix)}). */
        public Prefix snapshot() {
            Tensor[] copy = cache.copyFilled();
            return new Prefix(copy, cache.length(), prefixBytes(cache.length()));
        }

        /**
         * Runs {@code ids} at the next positions. Positions holding the media placeholder take the image feature
         * rows {@code featureRows[i]} (−1 elsewhere).
         *
         * @param allLogits return logits for every position ((T × V) row-major) instead of the last one only
         */
        public float[] forward(int[] ids, long[] featureRows, ImageFeatures features, boolean allLogits) {
            long[] positions = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                positions[i] = cache.length() + i;
            }
            long[] logitRows = allLogits ? java.util.stream.LongStream.range(0, ids.length).toArray()
                    : new long[] {ids.length - 1};
            return run(ids, positions, List.of(new Segment(cache, cache.length(), ids.length)), featureRows, features,
                    logitRows);
        }
    }

    /**
     * One decode step of several sequences at once: sequence i takes {@code tokens[i]} at its next position. Every
     * weight matrix multiplies all the sequences' rows in one product; attention reads each sequence's own cache.
     *
     * @return the next-token logits of each sequence, in order
     */
    public float[][] decode(List<Session> sessions, int[] tokens) {
        int b = sessions.size();
        long[] positions = new long[b];
        long[] logitRows = new long[b];
        List<Segment> segments = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            LatentCache cache = sessions.get(i).cache;
            positions[i] = cache.length();
            logitRows[i] = i;
            segments.add(new Segment(cache, cache.length(), 1));
        }
        long[] noImage = new long[b];
        java.util.Arrays.fill(noImage, -1);
        float[] flat = run(tokens, positions, segments, noImage, null, logitRows);
        int v = config.text().vocabSize();
        float[][] out = new float[b][];
        for (int i = 0; i < b; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * v, (i + 1) * v);
        }
        return out;
    }

    /** Rows {@code ids} (of the given segments, in order) through the decoder; logits of {@code logitRows}, row-major. */
    private float[] run(int[] ids, long[] positions, List<Segment> segments, long[] featureRows, ImageFeatures features,
                        long[] logitRows) {
        try (PointerScope scope = new PointerScope()) {
            long[] idsL = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                idsL[i] = ids[i];
            }
            Tensor idx = onDevice(torch.tensor(idsL));
            Tensor x = embed.index_select(0, idx).to(torch.ScalarType.Float);
            RuntimeCalls.add(4);
            List<Long> local = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                if (featureRows[i] >= 0) {
                    local.add((long) i);
                    rows.add(featureRows[i]);
                }
            }
            if (!local.isEmpty()) {
                Tensor at = onDevice(torch.tensor(local.stream().mapToLong(Long::longValue).toArray()));
                Tensor from = onDevice(torch.tensor(rows.stream().mapToLong(Long::longValue).toArray()));
                x.index_copy_(0, at, features.rows().index_select(0, from));
            }
            Tensor embedded = x;
            TextRope.Angles angles = rope.angles(positions, device);
            x = Step.through(embedded, layers.stream()
                    .<java.util.function.UnaryOperator<Tensor>>map(l -> in -> l.apply(in, segments, angles)).toList());
            for (Segment seg : segments) {
                seg.cache().advance(seg.count());
            }
            Tensor h;
            if (logitRows.length == ids.length) {
                h = x;
            } else if (logitRows.length == 1) {
                h = x.narrow(0, logitRows[0], 1);
            } else {
                h = x.index_select(0, onDevice(torch.tensor(logitRows)));
            }
            Tensor logits = lmHead.apply(Norms.rmsNorm(h, finalNorm, config.text().rmsNormEps())).contiguous().cpu();
            RuntimeCalls.add(6 + (logitRows.length == ids.length ? 0 : 1));
            float[] out = new float[(int) logits.numel()];
            logits.data_ptr_float().get(out);
            if (x != embedded) {
                Step.release(x);
            }
            return out;
        }
    }

    private Tensor onDevice(Tensor t) {
        return t.to(device.device(), t.scalar_type()); // no copy when already there
    }
}
