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

    /**
     * Decoding and preprocessing on the lanes are taken off their CPU before it is held against the ceiling's: a job of
     * 500×375 photos, whose lanes spent 28-31 % of their CPU decoding and resizing, is not flagged for it; ONNX Runtime on the lanes
     * needing much more than at the ceiling (the host slowed), or much less (it sped up), is.
     */
    @Test
    void onnxRuntimeOnTheLanesIsJudgedWithoutTheirDecoding() throws Exception {
        ObjectNode photos = report(1.6).put("lanesCpuOverOnnxAtCeiling", 1.24)
                .put("lanesDecodeAndPreprocessSeconds", 6.0).put("lanesOnnxCpuOverOnnxAtCeiling", 0.96);
        assertThat(EndToEnd.markdown(photos)).doesNotContain("slowed").doesNotContain("ran faster")
                .contains("their decoding and preprocessing (6.0 s), against what ONNX Runtime alone needs at the ceiling | 0.96×");
        for (double atTheLimit : new double[] {EndToEnd.LANES_ONNX_CPU_LOW, EndToEnd.LANES_ONNX_CPU_WARNING}) {
            assertThat(EndToEnd.markdown(photos.deepCopy().put("lanesOnnxCpuOverOnnxAtCeiling", atTheLimit)))
                    .doesNotContain("slowed").doesNotContain("ran faster");
        }
        assertThat(EndToEnd.markdown(photos.deepCopy().put("lanesOnnxCpuOverOnnxAtCeiling", 1.06)))
                .contains("**the host likely slowed during the job** | ONNX Runtime on the lanes (their CPU less 6.0 s of "
                        + "decoding and preprocessing) used 1.06×");
        assertThat(EndToEnd.markdown(photos.deepCopy().put("lanesOnnxCpuOverOnnxAtCeiling", 0.88)))
                .contains("**the host likely ran faster during the job** | ONNX Runtime on the lanes (their CPU less 6.0 s "
                        + "of decoding and preprocessing) used only 0.88×");
    }

    @Test
    void aSteadyRunIsNotFlagged() throws Exception {
        assertThat(EndToEnd.markdown(report(EndToEnd.DRIFT_WARNING_PERCENT))).doesNotContain("drifted");
        assertThat(EndToEnd.markdown(report(3.0))).contains("**whole job, wall time from the shell").doesNotContain("drifted");
    }
}
