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
 */
final class MoeLayer {
    private final TextConfig c;
    private final Tensor gate; // (E, H) float32
    private final Tensor bias; // (E) float32
    private final List<SwiGlu> experts = new ArrayList<>();
    private final SwiGlu shared;

    MoeLayer(Weights w, TextConfig c, String prefix) {
        this.c = c;
        long h = c.hiddenSize();
        int e = c.nRoutedExperts();
        gate = w.f32(prefix + "gate.weight", e, h);
        bias = w.has(prefix + "gate.e_score_correction_bias") ? w.f32(prefix + "gate.e_score_correction_bias", e)
                : torch.zeros(e).to(gate.device(), torch.ScalarType.Float);
        for (int i = 0; i < e; i++) {
            experts.add(new SwiGlu(w, prefix + "experts." + i + ".", h, c.moeIntermediateSize()));
        }
        shared = c.nSharedExperts() > 0
                ? new SwiGlu(w, prefix + "shared_experts.", h, (long) c.moeIntermediateSize() * c.nSharedExperts()) : null;
    }

    Tensor apply(Tensor x) {
        long t = x.size(0);
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
        if (c.normTopkProb() && k > 1) {
            weight = weight.div(weight.sum(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .add(new Scalar(1e-20)));
        }
        weight = weight.mul(new Scalar(c.routedScalingFactor()));

        long[] chosen = new long[(int) (t * k)];
        float[] weights = new float[chosen.length];
        index.contiguous().cpu().data_ptr_long().get(chosen);
        weight.contiguous().cpu().data_ptr_float().get(weights);
        Tensor out = torch.zeros(t, c.hiddenSize());
        out = out.to(x.device(), out.scalar_type());
        for (int e = 0; e < experts.size(); e++) {
            int n = 0;
            for (long v : chosen) {
                if (v == e) {
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            long[] rows = new long[n];
            float[] ws = new float[n];
            for (int i = 0, j = 0; i < chosen.length; i++) {
                if (chosen[i] == e) {
                    rows[j] = i / k;
                    ws[j++] = weights[i];
                }
            }
            Tensor rowIndex = torch.tensor(rows);
            Tensor rowWeight = torch.tensor(ws).unsqueeze(1);
            rowIndex = rowIndex.to(x.device(), rowIndex.scalar_type());
            rowWeight = rowWeight.to(x.device(), rowWeight.scalar_type());
            Tensor y = experts.get(e).apply(x.index_select(0, rowIndex)).mul(rowWeight);
            out.index_add_(0, rowIndex, y);
        }
        return shared == null ? out : out.add(shared.apply(x));
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
        Tensor mask = torch.zeros(t, groups).to(choice.device(), torch.ScalarType.Float)
                .scatter(1, keep, new Scalar(1.0)).lt(new Scalar(0.5)); // true = dropped
        return grouped.masked_fill(mask.unsqueeze(2), new Scalar(Float.NEGATIVE_INFINITY)).reshape(t, c.nRoutedExperts());
    }
}
