package dev.orchard.bench.jmh;

import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PrincipalComponents;
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
 * The coordinator's PCA solve at d = 1280: covariance from the merged partial, Commons Math's full symmetric
 * eigen-decomposition, sort, sign fixing, top k = 50. The partial holds 2,000 synthetic ReLU-like rows, more
 * than d, so the covariance is full rank (the rank-deficient fallback of {@link PrincipalComponents} is not
 * taken). It runs once per job and takes seconds, so each measurement is a single call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class EigenSolveBench {
    private CovariancePartial partial;

    @Setup
    public void setup() {
        int dim = CovarianceAccumulateBench.DIM;
        int rows = 2000;
        partial = CovariancePartial.empty(dim);
        partial.addBatch(BenchData.reluLikeRows(rows, dim, 2000), rows);
    }

    @Benchmark
    public PcaModel fitTop50() {
        return PrincipalComponents.fit(partial, 50);
    }
}
