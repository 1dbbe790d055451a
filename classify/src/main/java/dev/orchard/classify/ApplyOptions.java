package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.util.Objects;

/**
 * {@code orchard classify --apply}: label an existing output's images with a {@code classifier.onnx}.
 *
 * @param classifier the {@code classifier.onnx} ({@code orchard classify} wrote it)
 * @param input      a job's output folder
 * @param output     the predictions file; null for {@code <input>/predictions-<classifier name>.parquet}
 * @param overwrite  replace the predictions file when it exists (else that is refused)
 */
public record ApplyOptions(Location classifier, Location input, Location output, boolean overwrite) {

    public ApplyOptions {
        Objects.requireNonNull(classifier, "classifier");
        Objects.requireNonNull(input, "input");
        if (output != null && !output.name().endsWith(".parquet")) {
            throw new ClassifyException("With --apply, --output names the predictions file, which must end in .parquet;"
                    + " got " + output);
        }
    }

    public static ApplyOptions of(Location classifier, Location input) {
        return new ApplyOptions(classifier, input, null, false);
    }

    public ApplyOptions withOutput(Location output) {
        return new ApplyOptions(classifier, input, output, overwrite);
    }

    public ApplyOptions withOverwrite(boolean overwrite) {
        return new ApplyOptions(classifier, input, output, overwrite);
    }

    /**
     * The predictions file: as given, or {@code predictions-<name>.parquet} in the input folder, where the name is
     * the classifier's file name without {@code .onnx} ({@code pets.onnx} → {@code predictions-pets.parquet}); for
     * the name every training writes, {@code classifier.onnx}, its folder's ({@code classify-pair/classifier.onnx} →
     * {@code predictions-classify-pair.parquet}): two trainings applied to one output both went to
     * predictions-classifier.parquet, and the second was refused (a user's walk).
     */
    public Location outputOrDefault() {
        if (output != null) {
            return output;
        }
        String name = classifier.name();
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            name = name.substring(0, name.length() - ".onnx".length());
        }
        Location folder = classifier.parent();
        if (name.equals("classifier") && folder != null && !folder.name().isEmpty()) {
            name = folder.name();
        }
        return new OutputLayout(input).predictions(name);
    }
}
