package dev.quire.vlm.model;

import dev.quire.vlm.config.TextConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Mixture of experts: a float32 router scores every expert (sigmoid, or softmax), the correction bias chooses
 * the top-k (optionally within the best groups) but does not weight them; the chosen scores are renormalised
 * and scaled by routed_scaling_factor; the shared experts see every token. (T, H) → (T, H).
 *
 * <p>The routed experts are held stacked, gate and up fused ({@code (E, 2I, H)}) and down ({@code (E, H, I)}),
 * so every step runs the same few batched products however many experts its tokens hit:
 * route → dispatch each (token, expert) pair → two batched matmuls (gate·up, then down) → weighted combine.
 * Dispatch takes one of three forms, each a fixed number of calls: a single token (decode at batch 1) multiplies
 * its k experts' matrices in place (views of the stacks: the active weights are read once, nothing copied); few
 * pairs (narrow decode batches) each gather their expert's matrices ({@code index_select} + {@code bmm}); many
 * pairs (prefill, wide batches) are grouped into one padded bucket per expert and every expert multiplies its
 * bucket in place, no weight copied.
 */
final class MoeLayer {
    /**
     * Gather the pairs' expert matrices while pairs × this ≤ experts: a gathered matrix is read, written and read
     * again, a bucketed one read once (but every expert is read, hit or not).
     */
    static final int GATHER_COST = 3;
    private final TextConfig c;
    private final Tensor gate; // (E, H) float32
    private final Tensor bias; // (E) float32
    private final Tensor gateUp; // (E, 2I, H) compute dtype: rows 0..I-1 gate_proj, I..2I-1 up_proj
    private final Tensor down; // (E, H, I) compute dtype
    private final long[] order; // expert e sits at order[e] in both stacks (null: at e)
    private final Tensor orderOnDevice;
    /** Whether the stacks are copies made at load (else views of the mapped checkpoint). */
    private final boolean copied;
    private final SwiGlu shared;

    MoeLayer(Weights w, TextConfig c, String prefix) {
        this.c = c;
        long h = c.hiddenSize();
        int e = c.nRoutedExperts();
        long inner = c.moeIntermediateSize();
        gate = w.f32(prefix + "gate.weight", e, h);
        bias = w.has(prefix + "gate.e_score_correction_bias") ? w.f32(prefix + "gate.e_score_correction_bias", e)
                : torch.zeros(e).to(gate.device(), torch.ScalarType.Float);
        List<String[]> gateUpNames = new ArrayList<>();
        List<String[]> downNames = new ArrayList<>();
        for (int i = 0; i < e; i++) {
            String x = prefix + "experts." + i + ".";
            gateUpNames.add(new String[] {x + "gate_proj.weight", x + "up_proj.weight"});
            downNames.add(new String[] {x + "down_proj.weight"});
        }
        Weights.Stack gu = w.stack(gateUpNames, inner, h);
        Weights.Stack d = w.stack(downNames, h, inner);
        if (!java.util.Arrays.equals(gu.order(), d.order())) { // both views, but experts in different orders: copy both
            gu = w.copiedStack(gateUpNames, inner, h);
            d = w.copiedStack(downNames, h, inner);
        }
        gateUp = gu.tensor();
        down = d.tensor();
        order = gu.order();
        copied = gu.copied() || d.copied();
        if (order != null) {
            Tensor o = torch.tensor(order);
            orderOnDevice = o.to(gate.device(), o.scalar_type());
        } else {
            orderOnDevice = null;
        }
        shared = c.nSharedExperts() > 0
                ? new SwiGlu(w, prefix + "shared_experts.", h, inner * c.nSharedExperts()) : null;
    }

    /** Bytes of expert weights copied at load (0 when the stacks are views of the checkpoint). */
    long copiedBytes() {
        return copied ? gateUp.nbytes() + down.nbytes() : 0;
    }

    boolean reordered() {
        return order != null;
    }

    /** The weight products one token makes: the router, k routed experts (views of the stacked form), the shared. */
    void products(List<Tensor> matrices) {
        matrices.add(gate);
        for (int e = 0; e < c.numExpertsPerTok(); e++) {
            matrices.add(gateUp.select(0, e));
            matrices.add(down.select(0, e));
        }
        if (shared != null) {
            shared.products(matrices);
        }
    }

    Tensor apply(Tensor x) {
        long t = x.size(0);
        int k = c.numExpertsPerTok();
        Routes routes = route(x);
        long pairs = t * k;
        Tensor routed = t == 1 ? inPlace(x, routes)
                : pairs * GATHER_COST <= c.nRoutedExperts() ? gathered(x, routes) : bucketed(x, routes);
        RuntimeCalls.add(shared == null ? 0 : 1);
        return shared == null ? routed : routed.add(shared.apply(x));
    }

    /** Each token's k experts (T, k) and their weights (T, k) float32. */
    private record Routes(Tensor index, Tensor weight) {
    }

    private Routes route(Tensor x) {
        int k = c.numExpertsPerTok();
        Tensor logits = x.matmul(gate.t());
        Tensor scores = c.scoringFunc().equals("softmax") ? logits.softmax(-1) : torch.sigmoid(logits);
        Tensor choice = scores.add(bias);
        if (c.nGroup() > 1) {
            choice = limitToTopGroups(choice);
        }
        T_TensorTensor_T top = torch.topk(choice, k, -1, true, true);
        Tensor index = top.get1(); // (T, k)
        Tensor weight = scores.gather(1, index);
        RuntimeCalls.add(6);
        if (c.normTopkProb() && k > 1) {
            weight = weight.div(weight.sum(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .add(new Scalar(1e-20)));
            RuntimeCalls.add(3);
        }
        RuntimeCalls.add(1);
        return new Routes(index, weight.mul(new Scalar(c.routedScalingFactor())));
    }

    /** down(silu(gate) · up) over batches of rows: (B, R, H) → (B, R, H), products in the weights' dtype. */
    private Tensor experts(Tensor rows, Tensor gateUpW, Tensor downW) {
        long inner = c.moeIntermediateSize();
        torch.ScalarType wt = gateUpW.scalar_type();
        boolean convert = wt != torch.ScalarType.Float;
        Tensor h = torch.bmm(convert ? rows.to(wt) : rows, gateUpW.transpose(1, 2)); // (B, R, 2I)
        Tensor act = torch.silu(h.narrow(2, 0, inner)).mul(h.narrow(2, inner, inner));
        Tensor y = torch.bmm(act, downW.transpose(1, 2));
        RuntimeCalls.add(convert ? 10 : 8);
        return convert ? y.to(torch.ScalarType.Float) : y;
    }

    /**
     * One token (decode at batch 1): its k experts multiply it straight from the stacks — k narrowed views, nothing
     * copied, so the step reads exactly the active weights once; k is fixed by the model, so is the call count.
     */
    private Tensor inPlace(Tensor x, Routes routes) {
        int k = c.numExpertsPerTok();
        long inner = c.moeIntermediateSize();
        long[] chosen = new long[k];
        routes.index().contiguous().cpu().data_ptr_long().get(chosen);
        torch.ScalarType wt = gateUp.scalar_type();
        boolean convert = wt != torch.ScalarType.Float;
        Tensor row = convert ? x.to(wt) : x; // (1, H)
        Tensor[] ys = new Tensor[k];
        for (int j = 0; j < k; j++) {
            long place = order == null ? chosen[j] : order[(int) chosen[j]];
            // 2-D products with the expert's (contiguous) matrices, transposed as a flag like Linear: a 3-D bmm
            // over a narrowed bf16 view takes a slow path on the CPU (measured: ~3× the decode time)
            Tensor h = row.matmul(gateUp.select(0, place).t()); // (1, 2I)
            Tensor act = torch.silu(h.narrow(1, 0, inner)).mul(h.narrow(1, inner, inner));
            ys[j] = act.matmul(down.select(0, place).t()); // (1, H)
            RuntimeCalls.add(10);
        }
        Tensor y = torch.cat(new org.bytedeco.pytorch.TensorVector(ys), 0); // (k, H)
        RuntimeCalls.add(3 + (convert ? 4 : 2)); // the host copy of the choice; conversions, cat, combine
        return routes.weight().matmul(convert ? y.to(torch.ScalarType.Float) : y); // (1, k) · (k, H) → (1, H)
    }

    /** Few pairs: pair p = (token p / k, expert index[p]) multiplies its own gathered copy of the expert's matrices. */
    private Tensor gathered(Tensor x, Routes routes) {
        long t = x.size(0);
        int k = c.numExpertsPerTok();
        Tensor flat = routes.index().reshape(-1); // (T·k) expert ids
        if (orderOnDevice != null) {
            flat = orderOnDevice.index_select(0, flat); // their places in the stacks
            RuntimeCalls.add(1);
        }
        Tensor rows = x.repeat_interleave(k, new org.bytedeco.pytorch.LongOptional(0), new org.bytedeco.pytorch.LongOptional())
                .unsqueeze(1); // (T·k, 1, H)
        Tensor y = experts(rows, gateUp.index_select(0, flat), down.index_select(0, flat)); // (T·k, 1, H)
        RuntimeCalls.add(9);
        return y.reshape(t, k, c.hiddenSize()).mul(routes.weight().unsqueeze(2))
                .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    }

    /**
     * Many pairs: tokens are grouped by expert into buckets of one common capacity (the busiest expert's count),
     * every expert multiplies its bucket with its stacked matrices as they are, and each pair's row is weighted and
     * added back to its token. The grouping is planned on the host from the routing (one small copy).
     */
    private Tensor bucketed(Tensor x, Routes routes) {
        long t = x.size(0);
        int k = c.numExpertsPerTok();
        int e = c.nRoutedExperts();
        long h = c.hiddenSize();
        int pairs = (int) (t * k);
        long[] chosen = new long[pairs];
        routes.index().contiguous().cpu().data_ptr_long().get(chosen);
        int[] count = new int[e];
        long[] slot = new long[pairs]; // pair p's row among all buckets: expert × capacity + its rank in the bucket
        long[] token = new long[pairs];
        for (int p = 0; p < pairs; p++) {
            if (order != null) {
                chosen[p] = order[(int) chosen[p]]; // the bucket of the expert's place in the stacks
            }
            slot[p] = count[(int) chosen[p]]++;
            token[p] = p / k;
        }
        int capacity = java.util.Arrays.stream(count).max().orElse(1);
        for (int p = 0; p < pairs; p++) {
            slot[p] += chosen[p] * capacity;
        }
        Tensor slots = torch.tensor(slot);
        Tensor tokens = torch.tensor(token);
        slots = slots.to(x.device(), slots.scalar_type());
        tokens = tokens.to(x.device(), tokens.scalar_type());
        Tensor buckets = torch.zeros((long) e * capacity, h);
        buckets = buckets.to(x.device(), torch.ScalarType.Float).index_copy_(0, slots, x.index_select(0, tokens));
        // each hit expert multiplies the filled rows of its bucket with 2-D products (a 3-D bmm over the
        // transposed bf16 stacks measured ~2× slower on the CPU); rows of empty buckets are never read
        long inner = c.moeIntermediateSize();
        torch.ScalarType wt = gateUp.scalar_type();
        boolean convert = wt != torch.ScalarType.Float;
        Tensor y = torch.zeros((long) e * capacity, h).to(x.device(), wt);
        Tensor rows = convert ? buckets.to(wt) : buckets;
        for (int ex = 0; ex < e; ex++) {
            if (count[ex] == 0) {
                continue;
            }
            Tensor in = rows.narrow(0, (long) ex * capacity, count[ex]);
            Tensor hg = in.matmul(gateUp.select(0, ex).t()); // (n, 2I)
            Tensor act = torch.silu(hg.narrow(1, 0, inner)).mul(hg.narrow(1, inner, inner));
            y.narrow(0, (long) ex * capacity, count[ex]).copy_(act.matmul(down.select(0, ex).t()));
            RuntimeCalls.add(13);
        }
        if (convert) {
            y = y.to(torch.ScalarType.Float);
        }
        Tensor out = torch.zeros(t, h);
        RuntimeCalls.add(12);
        return out.to(x.device(), torch.ScalarType.Float)
                .index_add_(0, tokens, y.index_select(0, slots).mul(routes.weight().reshape(pairs, 1)));
    }

    /** Keeps only experts in the topk_group groups with the highest (top-2 sum) scores; the rest cannot be chosen. */
    private Tensor limitToTopGroups(Tensor choice) {
        long t = choice.size(0);
        int groups = c.nGroup();
        long per = c.nRoutedExperts() / groups;
        Tensor grouped = choice.reshape(t, groups, per);
        Tensor groupScore = torch.topk(grouped, Math.min(2, per), -1, true, true).get0().sum(new long[] {-1}, false,
                new org.bytedeco.pytorch.ScalarTypeOptional()); // (T, groups)
        Tensor keep = torch.topk(groupScore, c.topkGroup(), -1, true, true).get1();
        RuntimeCalls.add(11);
        Tensor mask = torch.zeros(t, groups).to(choice.device(), torch.ScalarType.Float)
                .scatter(1, keep, new Scalar(1.0)).lt(new Scalar(0.5)); // true = dropped
        return grouped.masked_fill(mask.unsqueeze(2), new Scalar(Float.NEGATIVE_INFINITY)).reshape(t, c.nRoutedExperts());
    }
}
