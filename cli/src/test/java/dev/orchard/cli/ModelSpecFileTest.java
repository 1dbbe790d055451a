package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model-spec FILE}: the README's example, MobileNetV2's values for what it leaves out, and typos refused. */
class ModelSpecFileTest {

    @TempDir
    Path temp;

    @Test
    void theReadmesExampleIsReadAndWhatItLeavesOutIsMobileNetV2s() throws Exception {
        Path file = Files.writeString(temp.resolve("my-cnn.conf"), """
                name = my-cnn, input = data, width = 224, height = 224, resize-shorter = 256
                mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225], bgr = false
                feature-tensor = "pool5", flatten = true
                """);
        ModelSpec spec = ModelSpecFile.read(file);
        assertThat(spec.name()).isEqualTo("my-cnn");
        assertThat(spec.inputName()).isEqualTo("data");
        assertThat(spec.featureTensor()).isEqualTo("pool5");
        assertThat(spec.std()).containsExactly(0.229f, 0.224f, 0.225f);

        ModelSpec small = ModelSpecFile.read(Files.writeString(temp.resolve("small.conf"), "width = 160, height = 160\n"));
        ModelSpec mobileNet = ModelSpec.mobileNetV2();
        assertThat(small.inputWidth()).isEqualTo(160);
        assertThat(small.inputName()).isEqualTo(mobileNet.inputName());
        assertThat(small.featureTensor()).isEqualTo(mobileNet.featureTensor());
        assertThat(small.resizeShorter()).isEqualTo(mobileNet.resizeShorter());
    }

    /** "widht = 3" was ignored: the job ran with MobileNetV2's width and said nothing (a helper's README walk). */
    @Test
    void aMisspeltKeyIsRefusedNamingTheKeys() throws Exception {
        Path file = Files.writeString(temp.resolve("typo.conf"), "widht = 3\nfeature_tensor = pool5\n");
        assertThatThrownBy(() -> ModelSpecFile.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--model-spec " + file + ": unknown keys feature_tensor, widht (the keys are name, input,"
                        + " width, height, resize-shorter, mean, std, bgr, feature-tensor, flatten)");
    }

    @Test
    void aValueOfTheWrongTypeOrAMissingFileIsABadOption() throws Exception {
        Path file = Files.writeString(temp.resolve("bad.conf"), "width = wide\n");
        assertThatThrownBy(() -> ModelSpecFile.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model-spec " + file + ": ").hasMessageContaining("width");
        assertThatThrownBy(() -> ModelSpecFile.read(temp.resolve("none.conf")))
                .hasMessage("--model-spec " + temp.resolve("none.conf") + " does not exist");
        assertThatThrownBy(() -> ModelSpecFile.read(temp)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model-spec " + temp + " is a folder");
    }

    /** A resize that leaves the crop outside the image, or a negative one, was run as given (an options walk). */
    @Test
    void aResizeBelowTheCropIsRefused() throws Exception {
        for (String resize : new String[] {"-5", "100", "223"}) {
            Path file = Files.writeString(temp.resolve("r" + resize + ".conf"), "resize-shorter = " + resize + "\n");
            assertThatThrownBy(() -> ModelSpecFile.read(file)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--model-spec " + file + ": resize-shorter = " + resize + " must be 0")
                    .hasMessageContaining("at least the crop's larger side, 224");
        }
        assertThat(ModelSpecFile.read(Files.writeString(temp.resolve("exact.conf"), "resize-shorter = 0\n"))
                .resizeShorter()).isZero();
        assertThat(ModelSpecFile.read(Files.writeString(temp.resolve("same.conf"), "resize-shorter = 224\n"))
                .resizeShorter()).isEqualTo(224);
    }
}
