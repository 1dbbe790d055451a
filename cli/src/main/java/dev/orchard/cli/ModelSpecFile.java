package dev.orchard.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.orchard.protocol.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --model-spec FILE}: a HOCON/JSON file describing any ONNX CNN, defaults from the built-in MobileNetV2:
 * <pre>
 * name = resnet50, input = data, width = 224, height = 224, resize-shorter = 256,
 * mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225], bgr = false,
 * feature-tensor = "resnetv17_pool1_fwd", flatten = true
 * </pre>
 */
final class ModelSpecFile {

    /** The keys a spec file may hold; the ones it leaves out take MobileNetV2's value. */
    static final List<String> KEYS = List.of("name", "input", "width", "height", "resize-shorter", "mean", "std", "bgr",
            "feature-tensor", "flatten");

    private ModelSpecFile() {
    }

    static ModelSpec read(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--model-spec " + file + " is a folder: give the spec file (HOCON or JSON)"
                    + " itself");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model-spec " + file + " does not exist");
        }
        ModelSpec d = ModelSpec.mobileNetV2();
        try {
            Config c = ConfigFactory.parseFile(file.toFile()).resolve();
            List<String> unknown = c.root().keySet().stream().filter(key -> !KEYS.contains(key)).sorted().toList();
            if (!unknown.isEmpty()) { // a misspelt key was ignored, and the default used without a word
                throw new IllegalArgumentException("--model-spec " + file + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                        + String.join(", ", unknown) + " (the keys are " + String.join(", ", KEYS) + ")");
            }
            ModelSpec spec = new ModelSpec(
                    c.hasPath("name") ? c.getString("name") : file.getFileName().toString(),
                    c.hasPath("input") ? c.getString("input") : d.inputName(),
                    c.hasPath("width") ? c.getInt("width") : d.inputWidth(),
                    c.hasPath("height") ? c.getInt("height") : d.inputHeight(),
                    c.hasPath("resize-shorter") ? c.getInt("resize-shorter") : d.resizeShorter(),
                    c.hasPath("mean") ? floats(c.getDoubleList("mean")) : d.mean(),
                    c.hasPath("std") ? floats(c.getDoubleList("std")) : d.std(),
                    c.hasPath("bgr") && c.getBoolean("bgr"),
                    c.hasPath("feature-tensor") ? c.getString("feature-tensor") : d.featureTensor(),
                    !c.hasPath("flatten") || c.getBoolean("flatten"));
            requireCropInside(spec, file);
            return spec;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--model-spec " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * resize-shorter is 0 (straight to width × height) or at least the crop: below it, torchvision pads the resized
     * image with black to centre it, which Orchard's preprocessing does not do; a negative one was recorded as given
     * (an options walk).
     */
    private static void requireCropInside(ModelSpec spec, Path file) {
        int crop = Math.max(spec.inputWidth(), spec.inputHeight());
        if (spec.resizeShorter() < 0 || spec.resizeShorter() > 0 && spec.resizeShorter() < crop) {
            throw new IllegalArgumentException("--model-spec " + file + ": resize-shorter = " + spec.resizeShorter()
                    + " must be 0 (resize straight to " + spec.inputWidth() + "x" + spec.inputHeight() + ") or at least"
                    + " the crop's larger side, " + crop + " (a smaller one leaves the crop outside the image, which"
                    + " torchvision pads with black and Orchard does not; an output made with such a spec by an earlier"
                    + " Orchard is made again with --overwrite)");
        }
    }

    private static float[] floats(List<Double> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i).floatValue();
        }
        return f;
    }
}
