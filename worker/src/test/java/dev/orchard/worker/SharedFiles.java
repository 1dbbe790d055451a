package dev.orchard.worker;

import java.nio.file.Files;
import java.nio.file.Path;

/** The models and images that tests read from {@code ../shared} beside the checkout (never copied in). */
public final class SharedFiles {

    private SharedFiles() {
    }

    public static Path root() {
        Path root = Path.of(System.getProperty("orchard.shared", "../shared")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("models"))) {
            throw new IllegalStateException("Tests need the shared models and data at " + root
                    + " (../shared beside the checkout, or -Dorchard.shared=PATH)");
        }
        return root;
    }

    public static Path float32Model() {
        return root().resolve("models/mobilenetv2-12-float32-dequantized.onnx");
    }

    public static Path testImage(String name) {
        return root().resolve("models/testimages").resolve(name);
    }

    public static Path fruits() {
        return root().resolve("data/fruits360-sample");
    }
}
