package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.stat.correlation.Covariance;
import org.junit.jupiter.api.Test;

class CovariancePartialTest {
    private static final int DIM = 17;

    /** Rows with a large common offset: the case where Σxxᵀ − nμμᵀ would lose digits. */
    private static float[][] data(int n, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[n][DIM];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < DIM; i++) {
                rows[r][i] = (float) (1000 + random.nextGaussian() * (1 + i));
            }
        }
        return rows;
    }

    private static float[] flatten(float[][] rows, int from, int to) {
        float[] flat = new float[(to - from) * DIM];
        for (int r = from; r < to; r++) {
            System.arraycopy(rows[r], 0, flat, (r - from) * DIM, DIM);
        }
        return flat;
    }

    private static double[][] direct(float[][] rows) {
        double[][] m = new double[rows.length][DIM];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < DIM; i++) {
                m[r][i] = rows[r][i];
            }
        }
        return new Covariance(m).getCovarianceMatrix().getData();
    }

    private static void assertClose(double[][] actual, double[][] expected, double relTol) {
        for (int i = 0; i < DIM; i++) {
            for (int j = 0; j < DIM; j++) {
                double scale = Math.sqrt(Math.abs(expected[i][i] * expected[j][j]));
                assertThat(Math.abs(actual[i][j] - expected[i][j])).as("(%d,%d)", i, j).isLessThanOrEqualTo(relTol * scale);
            }
        }
    }

    @Test
    void batchAccumulationMatchesTwoPassCovariance() {
        float[][] rows = data(500, 1);
        CovariancePartial p = CovariancePartial.empty(DIM);
        for (int from = 0; from < rows.length; from += 32) {
            int to = Math.min(rows.length, from + 32);
            p.addBatch(flatten(rows, from, to), to - from);
        }
        assertThat(p.count()).isEqualTo(500);
        assertClose(p.covariance(), direct(rows), 1e-12);
    }

    @Test
    void mergingInAnyGroupingAndOrderGivesTheSameStatistics() {
        float[][] rows = data(300, 2);
        double[][] expected = direct(rows);
        Random random = new Random(3);
        for (int trial = 0; trial < 5; trial++) {
            // Cut the rows into random pieces, accumulate each, then merge them in a random order and tree shape.
            List<CovariancePartial> pieces = new ArrayList<>();
            int from = 0;
            while (from < rows.length) {
                int to = Math.min(rows.length, from + 1 + random.nextInt(60));
                CovariancePartial piece = CovariancePartial.empty(DIM);
                piece.addBatch(flatten(rows, from, to), to - from);
                pieces.add(piece);
                from = to;
            }
            pieces.add(CovariancePartial.empty(DIM)); // empty partials are neutral
            Collections.shuffle(pieces, random);
            while (pieces.size() > 1) {
                CovariancePartial a = pieces.remove(random.nextInt(pieces.size()));
                CovariancePartial b = pieces.remove(random.nextInt(pieces.size()));
                a.merge(b);
                pieces.add(a);
            }
            CovariancePartial merged = pieces.get(0);
            assertThat(merged.count()).isEqualTo(300);
            assertClose(merged.covariance(), expected, 1e-12);
        }
    }

    /** The BLAS-3 update (system BLAS when it loads, else netlib-java's Java BLAS) and the Java loop agree. */
    @Test
    void blasUpdateMatchesTheJavaLoopAcrossBlocks() {
        int dim = GramUpdate.BLOCK * 2 + 45; // a partial last block
        Random random = new Random(7);
        dev.ludovic.netlib.blas.BLAS blas;
        try {
            blas = dev.ludovic.netlib.blas.NativeBLAS.getInstance();
        } catch (Throwable e) {
            blas = dev.ludovic.netlib.blas.JavaBLAS.getInstance();
        }
        System.out.println("BLAS for the covariance update test: " + blas.getClass().getSimpleName() + "; default update: "
                + (GramUpdate.DEFAULT == GramUpdate.JAVA ? "Java loop" : "BLAS"));
        CovariancePartial viaJava = CovariancePartial.empty(dim).using(GramUpdate.JAVA);
        CovariancePartial viaBlas = CovariancePartial.empty(dim).using(GramUpdate.blas(blas));
        for (int b = 0; b < 5; b++) {
            int rows = 1 + random.nextInt(40);
            float[] batch = new float[rows * dim];
            for (int k = 0; k < batch.length; k++) {
                batch[k] = (float) Math.max(0, 3 + random.nextGaussian() * 2);
            }
            viaJava.addBatch(batch, rows);
            viaBlas.addBatch(batch, rows);
        }
        double[][] a = viaJava.covariance();
        double[][] c = viaBlas.covariance();
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                double scale = Math.sqrt(a[i][i] * a[j][j]);
                assertThat(Math.abs(a[i][j] - c[i][j])).as("(%d,%d)", i, j).isLessThanOrEqualTo(1e-12 * scale);
            }
        }
        assertThat(viaBlas.mean()).containsExactly(viaJava.mean());
    }

    @Test
    void encodesAndDecodesExactly() {
        CovariancePartial p = CovariancePartial.empty(DIM);
        float[][] rows = data(10, 4);
        p.addBatch(flatten(rows, 0, 10), 10);
        CovariancePartial q = CovariancePartial.decode(p.encode());
        assertThat(q.count()).isEqualTo(10);
        assertThat(q.mean()).containsExactly(p.mean());
        assertThat(q.covariance()).isDeepEqualTo(p.covariance());
        assertThat(p.encode().length).isEqualTo(20 + 8 * (DIM + DIM * (DIM + 1) / 2));
    }

    @Test
    void aZeroDimensionalPartialCountsAndMergesItsRows() {
        CovariancePartial a = CovariancePartial.empty(0);
        a.addBatch(new float[0], 7);
        CovariancePartial b = CovariancePartial.empty(0);
        b.addBatch(new float[0], 5);
        a.merge(b);
        assertThat(a.count()).isEqualTo(12);
        assertThat(a.encode()).hasSize(20);
        CovariancePartial decoded = CovariancePartial.decode(a.encode());
        assertThat(decoded.dim()).isZero();
        assertThat(decoded.count()).isEqualTo(12);
        assertThatThrownBy(() -> CovariancePartial.empty(0).merge(CovariancePartial.empty(1)))
                .hasMessageContaining("cannot merge a 1-d partial into a 0-d one");
        assertThatThrownBy(() -> CovariancePartial.empty(-1)).hasMessageContaining("must not be negative");
    }

    @Test
    void rejectsMismatchedDimensionsAndGarbage() {
        assertThatThrownBy(() -> CovariancePartial.empty(3).merge(CovariancePartial.empty(4)))
                .hasMessageContaining("cannot merge a 4-d partial into a 3-d one");
        assertThatThrownBy(() -> CovariancePartial.decode(new byte[40])).hasMessageContaining("not an Orchard covariance partial");
    }
}
