package dev.orchard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The harness's report says when the host changed speed too much during the run for its ratios to be trusted. */
class EndToEndReportTest {
    /** A real report (the twenty-fifth session's run on the Intel host), with the drift set by each test. */
    private static ObjectNode report(double driftPercent) throws Exception {
        ObjectNode r = (ObjectNode) new ObjectMapper().readTree(Path.of("results/whole-job-20261202-1945-e2e-d1b53b7.json").toFile());
        return r.put("hostDriftPercent", driftPercent);
    }

    @Test
    void aRunWhoseCeilingMovedMoreThanTheLimitIsFlagged() throws Exception {
        assertThat(EndToEnd.markdown(report(23.0))).contains("**the host drifted** | 23 % between the two measures");
    }

    @Test
    void theDriftIsTheDistanceBetweenTheTwoCeilingsInPercentOfTheLower() {
        assertThat(EndToEnd.driftPercent(225, 174)).isCloseTo(29.31, within(0.01));
        assertThat(EndToEnd.driftPercent(174, 225)).isCloseTo(29.31, within(0.01));
        assertThat(EndToEnd.driftPercent(200, 200)).isZero();
    }

    @Test
    void aJobWhoseLanesNeededMuchMoreCpuThanTheCeilingIsFlagged() throws Exception {
        assertThat(EndToEnd.markdown(report(3.0).put("lanesCpuOverOnnxAtCeiling", 1.11)))
                .contains("**the host likely slowed during the job** | the lanes used 1.11×");
        assertThat(EndToEnd.markdown(report(3.0).put("lanesCpuOverOnnxAtCeiling", EndToEnd.LANES_CPU_WARNING)))
                .doesNotContain("slowed");
    }

    @Test
    void aSteadyRunIsNotFlagged() throws Exception {
        assertThat(EndToEnd.markdown(report(EndToEnd.DRIFT_WARNING_PERCENT))).doesNotContain("drifted");
        assertThat(EndToEnd.markdown(report(3.0))).contains("**whole job, wall time from the shell").doesNotContain("drifted");
    }
}
