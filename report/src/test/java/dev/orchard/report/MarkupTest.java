package dev.orchard.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MarkupTest {

    @Test
    void coordinatesHaveAtMostTwoDecimalsAndNoTrailingZeros() {
        assertThat(Markup.coordinate(0)).isEqualTo("0");
        assertThat(Markup.coordinate(12)).isEqualTo("12");
        assertThat(Markup.coordinate(12.5)).isEqualTo("12.5");
        assertThat(Markup.coordinate(12.345)).isEqualTo("12.35");
        assertThat(Markup.coordinate(0.05)).isEqualTo("0.05");
        assertThat(Markup.coordinate(-0.05)).isEqualTo("-0.05");
        assertThat(Markup.coordinate(-0.5)).isEqualTo("-0.5");
        assertThat(Markup.coordinate(-3.07)).isEqualTo("-3.07");
        assertThat(Markup.coordinate(-0.004)).isEqualTo("0");
        assertThat(Markup.coordinate(Double.NaN)).isEqualTo("0");
        assertThat(Markup.coordinate(Double.POSITIVE_INFINITY)).isEqualTo("0");
    }

    @Test
    void aCoordinateIsItsValueToTheNearestHundredth() {
        long seed = 2026_11_30L;
        Random random = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            double v = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(7));
            String text = Markup.coordinate(v);
            assertThat(text).as("seed %d, %s", seed, v).matches("-?\\d+(\\.\\d?[1-9])?");
            assertThat(Double.parseDouble(text)).as("seed %d", seed).isCloseTo(v, org.assertj.core.data.Offset.offset(0.005 + 1e-9));
        }
    }
}
