package dev.orchard.bench.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NegligibleModelTest {
    @Test
    void itsFeaturesAreTheMeansOf28By28BlocksOfEachChannel() throws Exception {
        long seed = 20261201L;
        System.out.println("NegligibleModelTest seed " + seed);
        Random random = new Random(seed);
        int n = 2;
        float[] input = new float[n * 3 * 224 * 224];
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextFloat() * 2 - 1;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(NegligibleModel.model().toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {n, 3, 224, 224});
             OrtSession.Result result = session.run(Map.of(NegligibleModel.INPUT, tensor))) {
            float[][] features = (float[][]) result.get(NegligibleModel.FEATURES).orElseThrow().getValue();
            assertThat(features).hasNumberOfRows(n);
            for (int image = 0; image < n; image++) {
                assertThat(features[image]).hasSize(192);
                for (int c = 0; c < 3; c++) {
                    for (int by = 0; by < 8; by++) {
                        for (int bx = 0; bx < 8; bx++) {
                            double sum = 0;
                            for (int y = by * 28; y < by * 28 + 28; y++) {
                                for (int x = bx * 28; x < bx * 28 + 28; x++) {
                                    sum += input[((image * 3 + c) * 224 + y) * 224 + x];
                                }
                            }
                            assertThat((double) features[image][(c * 8 + by) * 8 + bx]).isCloseTo(sum / (28 * 28), within(1e-5));
                        }
                    }
                }
            }
        }
    }
}
