package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilesRoundTripTest {

    @Test
    void unitStatisticsKeepTheirUnitsAndNumbers() {
        CovariancePartial p = CovariancePartial.empty(3);
        p.addBatch(new float[] {1, 2, 3, 4, 5, 7}, 2);
        UnitStatistics back = UnitStatistics.decode(new UnitStatistics(List.of(4, 9), p).encode());
        assertThat(back.unitIds()).containsExactly(4, 9);
        assertThat(back.partial().covariance()).isDeepEqualTo(p.covariance());
    }

    @Test
    void pcaModelJsonRoundTrips() throws Exception {
        PcaModel m = new PcaModel(10, new double[] {1, 2}, new double[][] {{0.6, 0.8}}, new double[] {3.5}, new double[] {0.9});
        String json = new String(PcaModelJson.write(m));
        assertThat(json).contains("\"components\"").contains("\"k\" : 1").contains("\"dim\" : 2");
        PcaModel back = PcaModelJson.read(json.getBytes());
        assertThat(back.components()).isDeepEqualTo(m.components());
        assertThat(back.project(new float[] {2, 3})).containsExactly(1.4f);
    }

    /** Every double reads back bit for bit: random ones over the whole exponent range, and the awkward ones. */
    @Test
    void pcaModelJsonKeepsEveryDoubleExactly() throws Exception {
        java.util.Random random = new java.util.Random(7);
        int d = 2000;
        double[] mean = new double[d];
        for (int i = 0; i < d; i++) {
            mean[i] = Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL) * (random.nextBoolean() ? 1 : -1);
        }
        double[] awkward = {0.1, 1.0 / 3, 2e-3, 1e23, 8.41e21, 5e-324, Double.MIN_NORMAL, Double.MAX_VALUE, -0.0, 1e-7,
            9007199254740993.0, 2.0E-3, 4.35E-5};
        System.arraycopy(awkward, 0, mean, 0, awkward.length);
        double[][] components = {java.util.Arrays.copyOf(mean, d)};
        PcaModel m = new PcaModel(10, mean, components, new double[] {3.5}, new double[] {0.9});
        PcaModel back = PcaModelJson.read(PcaModelJson.write(m));
        for (int i = 0; i < d; i++) {
            assertThat(Double.doubleToRawLongBits(back.mean()[i])).as("value %d: %s", i, mean[i])
                    .isEqualTo(Double.doubleToRawLongBits(mean[i]));
        }
        assertThat(back.components()).isDeepEqualTo(m.components());
    }
}
