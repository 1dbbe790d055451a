package dev.orchard.classify;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which of the job's vectors to learn from: the folder and Parquet column of the same name. */
public enum VectorColumn {
    FEATURES, PCA;

    /** The output folder and the Parquet column: {@code features} or {@code pca}. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VectorColumn parse(String text) {
        for (VectorColumn c : values()) {
            if (c.column().equalsIgnoreCase(text)) {
                return c;
            }
        }
        throw new ClassifyException("--use must be one of " + Arrays.stream(values()).map(VectorColumn::column)
                .collect(Collectors.joining(", ")) + ", got '" + text + "'");
    }
}
