package dev.orchard.bench.jmh;

import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PrincipalComponents;
import java.util.concurrent.TimeUnit;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The coordinator's PCA solve, top k = 50, on a merged partial of synthetic ReLU-like rows (d + 720 of them, so the
 * covariance is full rank): {@code fitTop50} is what the job runs ({@code PrincipalComponents.fit}: covariance,
 * LAPACK dsyevr for the top 50 pairs with the system's LAPACK when it loads, signs); {@code fitTop50PureJava} the
 * same with netlib-java's pure-Java LAPACK (what a machine without OpenBLAS gets); {@code commonsMathFull} the
 * solver before: Commons Math's full decomposition of all d pairs. Single shots: each call takes 0.1–20 s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class EigenSolveBench {
    @Param({"1280", "2048"})
    public int dim;

    private CovariancePartial partial;

    @Setup
    public void setup() {
        int rows = dim + 720;
        partial = CovariancePartial.empty(dim);
        partial.addBatch(BenchData.reluLikeRows(rows, dim, 2000), rows);
    }

    @Benchmark
    public PcaModel fitTop50() {
        return PrincipalComponents.fit(partial, 50);
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dorchard.lapack=java")
    public PcaModel fitTop50PureJava() {
        return PrincipalComponents.fit(partial, 50);
    }

    @Benchmark
    public EigenDecomposition commonsMathFull() {
        return new EigenDecomposition(new Array2DRowRealMatrix(partial.covariance(), false));
    }
}
