package dev.orchard.report;

/**
 * A linear map from data values to pixels along one axis, widened to "nice" tick values (1, 2 or 5 × 10ⁿ apart), as
 * plotting libraries do, so the ticks read as round numbers.
 */
final class Scale {
    final double min;
    final double max;
    final double step;
    private final double from;
    private final double to;

    /** {@code from}/{@code to}: the pixels of {@code min}/{@code max} (to &lt; from for a y axis, which grows upwards). */
    Scale(double dataMin, double dataMax, double from, double to, int ticks) {
        if (!Double.isFinite(dataMin) || !Double.isFinite(dataMax)) {
            dataMin = 0;
            dataMax = 1;
        }
        if (dataMax - dataMin < 1e-12 * Math.max(1, Math.abs(dataMax))) {
            double pad = dataMax == 0 ? 1 : Math.abs(dataMax) * 0.1;
            dataMin -= pad;
            dataMax += pad;
        }
        this.step = niceStep((dataMax - dataMin) / Math.max(1, ticks));
        this.min = Math.floor(dataMin / step) * step;
        this.max = Math.ceil(dataMax / step) * step;
        this.from = from;
        this.to = to;
    }

    /** Exactly {@code min} to {@code max} (bars at integer positions fill the axis), ticks still at nice values. */
    static Scale exact(double min, double max, double from, double to, int ticks) {
        return new Scale(min, max, from, to, ticks, true);
    }

    private Scale(double min, double max, double from, double to, int ticks, boolean exact) {
        this.step = niceStep((max - min) / Math.max(1, ticks));
        this.min = min;
        this.max = max;
        this.from = from;
        this.to = to;
    }

    double pixel(double v) {
        return from + (v - min) / (max - min) * (to - from);
    }

    /** The tick values: the multiples of the step from min to max. */
    double[] ticks() {
        double first = Math.ceil(min / step - 1e-9) * step;
        int n = (int) Math.floor((max - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }
}
