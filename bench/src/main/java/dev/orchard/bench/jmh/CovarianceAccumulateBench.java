package dev.orchard.bench.jmh;

import dev.orchard.stats.CovariancePartial;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Folding one inference batch (32 rows × 1280 floats) into a worker's running covariance partial: centre the
 * batch, add its Gram matrix to the packed upper triangle (≈ 26 M multiply-adds), Chan-merge the mean. The
 * partial keeps growing across invocations; the cost per batch does not depend on how many rows it already holds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CovarianceAccumulateBench {
    static final int DIM = 1280;
    static final int ROWS = 32;

    private float[] batch;
    private CovariancePartial partial;

    @Setup
    public void setup() {
        batch = BenchData.reluLikeRows(ROWS, DIM, 32);
        partial = CovariancePartial.empty(DIM);
        partial.addBatch(BenchData.reluLikeRows(ROWS, DIM, 31), ROWS); // non-empty: every batch takes the full merge path
    }

    @Benchmark
    public CovariancePartial addBatch() {
        partial.addBatch(batch, ROWS);
        return partial;
    }
}
