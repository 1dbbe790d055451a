package dev.orchard.store.parquet;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The row schema of {@code features/} and {@code pca/} parts: {@code path string, label string,
 * <column> list<float>}, with the standard three-level LIST layout that Spark, pyarrow and DuckDB read; in a job
 * run with a classifier, then {@code predicted string, score double}. The prediction columns come last, so a
 * reader that takes columns by position (path, label, vector) reads both layouts alike.
 */
final class VectorSchema {
    static final String PREDICTED = "predicted";
    static final String SCORE = "score";

    private VectorSchema() {
    }

    static MessageType of(String column) {
        return of(column, false);
    }

    /** @param predictions with the {@code predicted} and {@code score} columns (required: every row has them) */
    static MessageType of(String column, boolean predictions) {
        var builder = Types.buildMessage()
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
                .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("label")
                .requiredList().requiredElement(PrimitiveTypeName.FLOAT).named(column);
        if (predictions) {
            builder = builder
                    .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(PREDICTED)
                    .required(PrimitiveTypeName.DOUBLE).named(SCORE);
        }
        return builder.named("orchard_" + column);
    }
}
