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
}
