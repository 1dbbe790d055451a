package dev.orchard.store.parquet;

import java.util.Objects;

/**
 * The classifier whose predictions a part carries: its rows then have {@code predicted string} and {@code score
 * double} columns, and the footer names the classifier file and its SHA-256 (as {@code classify --apply}'s
 * predictions file does), so a reader can tell which model labelled them.
 *
 * @param classifier where the {@code classifier.onnx} was read from
 * @param sha256     its SHA-256, hex
 */
public record PredictedBy(String classifier, String sha256) {

    public PredictedBy {
        Objects.requireNonNull(classifier, "classifier");
        Objects.requireNonNull(sha256, "sha256");
    }
}
