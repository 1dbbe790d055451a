package dev.orchard.store.parquet;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The row schema of {@code features/} and {@code pca/} parts: {@code path string, label string,
 * <column> list<float>}, with the standard three-level LIST layout that Spark, pyarrow and DuckDB read.
 */
final class VectorSchema {

    private VectorSchema() {
    }

    static MessageType of(String column) {
        return Types.buildMessage()
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
                .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("label")
                .requiredList().requiredElement(PrimitiveTypeName.FLOAT).named(column)
                .named("orchard_" + column);
    }
}
