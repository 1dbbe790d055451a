package dev.orchard.worker.pipeline;

import dev.orchard.stats.CovariancePartial;
import dev.orchard.store.parquet.VectorRow;
import java.util.List;

/**
 * The covariance statistics of rows read back from a rows file: the same float vectors the features units folded
 * in, folded again in batches of {@link PipelineSettings#ROWS_PER_FOLD}, as the features units fold them.
 */
final class RowStatistics {
    private static final int BATCH = PipelineSettings.ROWS_PER_FOLD;

    private RowStatistics() {
    }

    /** Folds {@code rows} into {@code into} (created when null); returns it, or null when there were no rows. */
    static CovariancePartial add(CovariancePartial into, List<VectorRow> rows) {
        if (rows.isEmpty()) {
            return into;
        }
        int dim = rows.get(0).values().length;
        CovariancePartial partial = into == null ? CovariancePartial.empty(dim) : into;
        float[] batch = new float[BATCH * dim];
        for (int from = 0; from < rows.size(); from += BATCH) {
            int n = Math.min(BATCH, rows.size() - from);
            for (int i = 0; i < n; i++) {
                float[] v = rows.get(from + i).values();
                if (v.length != dim) {
                    throw new IllegalArgumentException("row " + rows.get(from + i).path() + " has " + v.length
                            + " values, the others " + dim);
                }
                System.arraycopy(v, 0, batch, i * dim, dim);
            }
            partial.addBatch(batch, n);
        }
        return partial;
    }
}
