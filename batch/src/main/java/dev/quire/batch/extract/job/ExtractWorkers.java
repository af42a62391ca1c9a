package dev.quire.batch.extract.job;

import dev.quire.batch.QuireConfig;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.partition.PartitionMapper;
import jakarta.batch.api.partition.PartitionPlan;
import jakarta.batch.api.partition.PartitionPlanImpl;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Properties;

/** One partition per extraction worker of this process ({@code quire.extract.workers}); each claims its own documents. */
@Named("extractWorkers")
@Dependent
public class ExtractWorkers implements PartitionMapper {
    @Inject
    @BatchProperty
    String jobId;

    @Inject
    QuireConfig config;

    @Override
    public PartitionPlan mapPartitions() {
        int workers = Math.max(1, config.extract().workers());
        Properties[] props = new Properties[workers];
        for (int k = 0; k < workers; k++) {
            props[k] = new Properties();
            props[k].setProperty("jobId", jobId == null ? "" : jobId);
        }
        PartitionPlanImpl plan = new PartitionPlanImpl();
        plan.setPartitions(workers);
        plan.setThreads(workers);
        plan.setPartitionProperties(props);
        return plan;
    }
}
