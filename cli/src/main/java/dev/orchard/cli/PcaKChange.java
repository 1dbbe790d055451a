package dev.orchard.cli;

import dev.orchard.coordinator.JobIdentity;
import dev.orchard.coordinator.JobJournal;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;

/**
 * A job continued ({@code --resume}, or an update in progress) with another {@code --pca-k} than it started with.
 * What a job stores before its publish stage does not depend on k (the rows, their covariance statistics); k is first
 * used by the solve, which a continued job makes again, then by the projections its publish stage writes, and a
 * continued job whose journal records no finished publish stage publishes every part again, each one re-projected. So
 * another k is taken while the journal records no finished publish stage, when both commands have a PCA (a job without
 * one folds no statistics) and nothing else differs, and while no coordinator holds the output. The job's record is
 * then rewritten with the new k. This is what lets a job that failed because k was above its image count go on.
 */
final class PcaKChange {

    private PcaKChange() {
    }

    /** Whether the job {@code recorded} for {@code generation} of {@code output} may go on as {@code now}. */
    static boolean allowed(JobIdentity recorded, JobIdentity now, ObjectStore store, Location output, int generation,
                           String running) throws IOException {
        if (recorded == null || recorded.pcaK() == now.pcaK() || recorded.pcaK() < 1 || now.pcaK() < 1
                || !recorded.withPcaK(now.pcaK()).differences(now).isEmpty() || running != null) {
            return false;
        }
        return new JobJournal(store, output, generation).read().published() == null;
    }

    /** The line a job logs when it goes on with another k. */
    static String change(JobIdentity recorded, JobIdentity now) {
        return "--pca-k: was " + recorded.pcaK() + ", now " + now.pcaK() + " (the job has not published its parts yet:"
                + " the new k is used)";
    }
}
