package dev.orchard.protocol;

import java.util.Objects;

/**
 * How to feed an ONNX CNN and which tensor to take as features. Preprocessing follows torchvision: optional
 * resize of the shorter side to {@code resizeShorter} (0 = resize straight to the input size), centre crop to
 * {@code inputWidth}×{@code inputHeight}, scale to [0,1], then (x − mean)/std per channel.
 *
 * @param inputName     the graph input, layout NCHW [N, 3, H, W]
 * @param featureTensor the tensor to read features from; if it is not a graph output it is exposed as one
 * @param flatten       flatten the feature tensor per image (e.g. [1280,1,1] → 1280)
 * @param bgr           channel order BGR instead of RGB
 */
public record ModelSpec(String name, String inputName, int inputWidth, int inputHeight, int resizeShorter,
                        float[] mean, float[] std, boolean bgr, String featureTensor, boolean flatten) {

    public ModelSpec {
        Objects.requireNonNull(inputName, "inputName");
        Objects.requireNonNull(featureTensor, "featureTensor");
        if (inputWidth <= 0 || inputHeight <= 0) {
            throw new IllegalArgumentException("model input size must be positive: " + inputWidth + "x" + inputHeight);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (one per channel)");
        }
        for (float s : std) {
            if (s <= 0) {
                throw new IllegalArgumentException("std values must be positive");
            }
        }
    }

    /** MobileNetV2 from the ONNX Model Zoo (torchvision weights): 1280-d pooled features from tensor 464. */
    public static ModelSpec mobileNetV2() {
        return new ModelSpec("mobilenetv2", "input", 224, 224, 256,
                new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, false, "464", true);
    }

    /** Equal when every field is: the arrays by value (a record compares them by reference). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && Objects.equals(name, m.name) && inputName.equals(m.inputName)
                && inputWidth == m.inputWidth && inputHeight == m.inputHeight && resizeShorter == m.resizeShorter
                && java.util.Arrays.equals(mean, m.mean) && java.util.Arrays.equals(std, m.std) && bgr == m.bgr
                && featureTensor.equals(m.featureTensor) && flatten == m.flatten;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, inputName, inputWidth, inputHeight, resizeShorter, java.util.Arrays.hashCode(mean),
                java.util.Arrays.hashCode(std), bgr, featureTensor, flatten);
    }

    @Override
    public String toString() {
        return "ModelSpec[" + name + ", input " + inputName + " " + inputWidth + "x" + inputHeight + ", resize-shorter "
                + resizeShorter + ", mean " + java.util.Arrays.toString(mean) + ", std " + java.util.Arrays.toString(std)
                + (bgr ? ", BGR" : ", RGB") + ", features " + featureTensor + (flatten ? " flattened" : "") + "]";
    }

    /** The feature tensor a {@link #toString()} names (as a job's record holds it), or null when it is not one. */
    public static String featureTensorOf(String described) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(", features (.*?)( flattened)?]$")
                .matcher(described == null ? "" : described);
        return m.find() ? m.group(1) : null;
    }

    /**
     * What the pixels go through before the CNN, and how its tensor becomes a vector, as one canonical text: two specs
     * with the same text give the same features for the same image and CNN (the name is a label, the input's name a
     * graph's; neither changes a value). Compared before a classifier reads a job's features.
     */
    public String preprocessing() {
        return inputWidth + "x" + inputHeight + ", resize-shorter " + resizeShorter + ", mean " + exactly(mean) + ", std "
                + exactly(std) + (bgr ? ", BGR" : ", RGB") + (flatten ? ", flattened" : "");
    }

    /**
     * Each float to 9 significant digits, which tell every float apart, by BigDecimal's rounding of its exact value:
     * the same text on every JDK ({@code Float.toString} changed in JDK 19, so a classifier recorded under one JDK could
     * be refused under another; the diff's review). {@link #toString} keeps its text: job records compare it.
     */
    private static String exactly(float[] values) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ", ").append(new java.math.BigDecimal(values[i])
                    .round(new java.math.MathContext(9, java.math.RoundingMode.HALF_EVEN)).stripTrailingZeros()
                    .toPlainString());
        }
        return text.append(']').toString();
    }

    public ModelSpec withFeatureTensor(String tensor, boolean flattenIt) {
        return new ModelSpec(name, inputName, inputWidth, inputHeight, resizeShorter, mean, std, bgr, tensor, flattenIt);
    }
}
