package dev.quire.batch.ingest;

import dev.quire.batch.QuireConfig;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.partition.PartitionMapper;
import jakarta.batch.api.partition.PartitionPlan;
import jakarta.batch.api.partition.PartitionPlanImpl;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Properties;

/** Splits a run's inputs over the rendering workers: worker k takes inputs whose seq ≡ k (mod workers). */
@Named("inputPartitions")
@Dependent
public class InputPartitions implements PartitionMapper {
    @Inject
    @BatchProperty
    String runId;

    @Inject
    QuireConfig config;

    @Override
    public PartitionPlan mapPartitions() {
        int workers = config.render().effectiveWorkers();
        Properties[] props = new Properties[workers];
        for (int k = 0; k < workers; k++) {
            props[k] = new Properties();
            props[k].setProperty("runId", runId);
            props[k].setProperty("partition", Integer.toString(k));
            props[k].setProperty("partitions", Integer.toString(workers));
        }
        PartitionPlanImpl plan = new PartitionPlanImpl();
        plan.setPartitions(workers);
        plan.setThreads(workers);
        plan.setPartitionProperties(props);
        return plan;
    }
}
