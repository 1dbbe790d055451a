package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.classify.Evaluation.ClassMetrics;
import org.junit.jupiter.api.Test;

/** The printed report's per-class figures. */
class ReportTextTest {

    /** A class nothing compared was predicted as, or that no compared image has, printed "0.0 %": a failure it is not. */
    @Test
    void precisionAndRecallOfNothingAreNotApplicableNotZero() {
        ClassMetrics neverPredicted = new ClassMetrics("Apple Granny Smith", 4, 0, 0);
        assertThat(ReportText.precision(neverPredicted)).isEqualTo("n/a");
        assertThat(ReportText.recall(neverPredicted)).isEqualTo("  0.0 %");
        ClassMetrics absent = new ClassMetrics("Apple Red 1", 0, 5, 0);
        assertThat(ReportText.precision(absent)).isEqualTo("  0.0 %");
        assertThat(ReportText.recall(absent)).isEqualTo("n/a");
        ClassMetrics measured = new ClassMetrics("Kiwi", 10, 8, 6);
        assertThat(ReportText.precision(measured)).isEqualTo(" 75.0 %");
        assertThat(ReportText.recall(measured)).isEqualTo(" 60.0 %");
    }
}
