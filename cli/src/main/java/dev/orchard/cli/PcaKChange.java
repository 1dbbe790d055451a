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
        return running == null && takesAnotherK(recorded, now, store, output, generation);
    }

    /**
     * Why the job {@code recorded} does not go on as {@code now} although it could take its k, when that is only
     * because a coordinator holds the output ({@code running}, the lease's refusal); null otherwise. A killed
     * coordinator's lease stays fresh for up to its trust: the command was refused as "another job" ("--pca-k: was
     * 50, now 20"), which read as if k could never change, and the same command went through 30 s later (a cluster
     * walk).
     */
    static String refusalWhileHeld(JobIdentity recorded, JobIdentity now, ObjectStore store, Location output,
                                   int generation, String running) throws IOException {
        if (running == null || !takesAnotherK(recorded, now, store, output, generation)) {
            return null;
        }
        return "--pca-k " + now.pcaK() + " (the job has " + recorded.pcaK() + ") is not taken now: a job takes another k"
                + " only while no coordinator holds its output. " + running
                + " Or go on with the job's k: the same command with --pca-k " + recorded.pcaK() + ".";
    }

    /** Whether {@code now} differs from {@code recorded} in k alone, and the job has published no part with it. */
    private static boolean takesAnotherK(JobIdentity recorded, JobIdentity now, ObjectStore store, Location output,
                                         int generation) throws IOException {
        if (recorded == null || recorded.pcaK() == now.pcaK() || recorded.pcaK() < 1 || now.pcaK() < 1
                || !recorded.withPcaK(now.pcaK()).differences(now).isEmpty()) {
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
