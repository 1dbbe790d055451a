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
 * The coordinator's merge of one unit's 1280-d partial into the running total (Chan et al.): add the packed
 * co-moments (820 K doubles, 6.6 MB read + written) and the rank-one mean correction. Merging into the same
 * target again and again costs the same each time, so no copy (which would cost as much as the merge) is made.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CovarianceMergeBench {
    private CovariancePartial total;
    private CovariancePartial unit;

    @Setup
    public void setup() {
        int dim = CovarianceAccumulateBench.DIM;
        total = CovariancePartial.empty(dim);
        total.addBatch(BenchData.reluLikeRows(64, dim, 1), 64);
        unit = CovariancePartial.empty(dim);
        unit.addBatch(BenchData.reluLikeRows(64, dim, 2), 64);
    }

    @Benchmark
    public CovariancePartial merge() {
        total.merge(unit);
        return total;
    }
}
