package dev.orchard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the model: {@code --model}, then {@code $ORCHARD_MODEL}, then a {@code shared/models/} folder beside the
 * checkout; otherwise says where to download the ONNX Model Zoo file.
 */
final class ModelLocator {
    static final String ZOO_FILE = "mobilenetv2-12.onnx";
    private static final String[] SHARED_FILES = {ZOO_FILE, "mobilenetv2-12-float32-dequantized.onnx"};

    private ModelLocator() {
    }

    static String locate(String flag, String env, List<Path> sharedDirs) {
        if (flag != null) {
            return flag;
        }
        if (env != null && !env.isBlank()) {
            return env;
        }
        List<Path> tried = new ArrayList<>();
        for (Path dir : sharedDirs) {
            for (String name : SHARED_FILES) {
                Path candidate = dir.resolve(name);
                tried.add(candidate);
                if (Files.isRegularFile(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalArgumentException("No model found (looked at --model, $ORCHARD_MODEL and " + tried + "). "
                + "Download the ONNX Model Zoo file " + ZOO_FILE + " (github.com/onnx/models, "
                + "validated/vision/classification/mobilenet/model/" + ZOO_FILE + ") and pass --model PATH, "
                + "or set ORCHARD_MODEL.");
    }

    /** ../shared/models relative to the working directory and to the installation ($ORCHARD_HOME). */
    static List<Path> defaultSharedDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(Path.of("..", "shared", "models").toAbsolutePath().normalize());
        String home = System.getenv("ORCHARD_HOME");
        if (home != null) {
            dirs.add(Path.of(home, "..", "shared", "models").toAbsolutePath().normalize());
        }
        return dirs;
    }
}
