package dev.quire.batch.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two runs over the same questions, item by item: the items whose score changed, and the paired difference
 * (B − A) of accuracy and, for MMLongBench-Doc, F1, with 95 % paired-bootstrap intervals. Only items scored in
 * both runs are compared; the others are counted.
 */
public record RunComparison(long runA, long runB, int paired, int onlyInOne, double accuracyA, double accuracyB,
                            Bootstrap.Interval accuracyDiff, Bootstrap.Interval f1Diff, List<Change> changes) {
    public record Change(String key, String question, String gold, String predA, double scoreA, String predB, double scoreB) {
    }

    public static RunComparison of(long runA, List<EvalRow> a, long runB, List<EvalRow> b, boolean mmlongbench,
                                   Bootstrap bootstrap) {
        Map<String, EvalRow> byKey = new HashMap<>();
        b.stream().filter(EvalRow::scored).forEach(r -> byKey.put(r.key(), r));
        List<EvalRow> pa = new ArrayList<>();
        List<EvalRow> pb = new ArrayList<>();
        for (EvalRow r : a) {
            EvalRow o = byKey.get(r.key());
            if (r.scored() && o != null) {
                pa.add(r);
                pb.add(o);
            }
        }
        int scoredA = (int) a.stream().filter(EvalRow::scored).count();
        int scoredB = byKey.size();
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < pa.size(); i++) {
            if (!pa.get(i).score().equals(pb.get(i).score())) {
                changes.add(new Change(pa.get(i).key(), pa.get(i).question(), pa.get(i).gold(), pa.get(i).pred(),
                        pa.get(i).score(), pb.get(i).pred(), pb.get(i).score()));
            }
        }
        Bootstrap.Interval acc = bootstrap.interval(pa.size(), idx -> mean(pb, idx) - mean(pa, idx));
        Bootstrap.Interval f1 = mmlongbench ? bootstrap.interval(pa.size(), idx ->
                EvalReport.aggregate(EvalReport.pick(pb, idx)).f1() - EvalReport.aggregate(EvalReport.pick(pa, idx)).f1()) : null;
        int[] all = java.util.stream.IntStream.range(0, pa.size()).toArray();
        return new RunComparison(runA, runB, pa.size(), scoredA + scoredB - 2 * pa.size(), mean(pa, all), mean(pb, all),
                acc, f1, changes);
    }

    private static double mean(List<EvalRow> rows, int[] idx) {
        double s = 0;
        for (int i : idx) {
            s += rows.get(i).score();
        }
        return idx.length == 0 ? 0 : s / idx.length;
    }

    public String text() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "run %d vs run %d: %d paired questions (%d scored in only one run)%n",
                runA, runB, paired, onlyInOne));
        s.append(String.format(Locale.ROOT, "%-8s %-8s %-8s %s%n", "key", "score A", "score B", "question / gold / A → B"));
        for (Change c : changes) {
            s.append(String.format(Locale.ROOT, "%-8s %-8.4f %-8.4f %s | gold %s | %s → %s%n", c.key(), c.scoreA(), c.scoreB(),
                    c.question(), c.gold(), c.predA(), c.predB()));
        }
        s.append(String.format(Locale.ROOT, "%d items changed%n", changes.size()));
        if (f1Diff != null) {
            s.append(String.format(Locale.ROOT, "f1 difference (B - A) %+.4f [%+.4f, %+.4f]%n", f1Diff.estimate(), f1Diff.low(), f1Diff.high()));
        }
        s.append(String.format(Locale.ROOT, "accuracy %.4f -> %.4f, difference (B - A) %+.4f, 95%% CI [%+.4f, %+.4f]",
                accuracyA, accuracyB, accuracyDiff.estimate(), accuracyDiff.low(), accuracyDiff.high()));
        return s.toString();
    }
}
