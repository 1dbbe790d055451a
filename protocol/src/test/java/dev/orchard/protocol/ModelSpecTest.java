package dev.orchard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The preprocessing's text, which a classifier records and a job compares: the same for the same numbers, on any JDK. */
class ModelSpecTest {

    @Test
    void thePreprocessingIsEveryFloatToNineDigitsAndNotTheName() {
        ModelSpec mobileNet = ModelSpec.mobileNetV2();
        assertThat(mobileNet.preprocessing()).isEqualTo("224x224, resize-shorter 256, mean [0.485000014, 0.456,"
                + " 0.405999988], std [0.229000002, 0.224000007, 0.224999994], RGB, flattened");
        ModelSpec renamed = new ModelSpec("my-name", "x", 224, 224, 256, mobileNet.mean(), mobileNet.std(), false, "464",
                true);
        assertThat(renamed.preprocessing()).isEqualTo(mobileNet.preprocessing());
        ModelSpec bgr = new ModelSpec("my-name", "input", 224, 224, 256, mobileNet.mean(), mobileNet.std(), true, "464",
                true);
        assertThat(bgr.preprocessing()).isNotEqualTo(mobileNet.preprocessing());
        // Nine significant digits tell neighbouring floats apart.
        float a = 0.1f;
        float b = Math.nextUp(a);
        ModelSpec one = new ModelSpec("m", "input", 8, 8, 0, new float[] {a, a, a}, new float[] {1, 1, 1}, false, "t", true);
        ModelSpec next = new ModelSpec("m", "input", 8, 8, 0, new float[] {a, a, b}, new float[] {1, 1, 1}, false, "t", true);
        assertThat(one.preprocessing()).isNotEqualTo(next.preprocessing());
    }
}
