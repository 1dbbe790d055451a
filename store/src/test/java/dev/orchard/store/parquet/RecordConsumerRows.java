package dev.orchard.store.parquet;

import java.util.Map;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * {@link VectorRow}s through parquet-java's record assembly (a record consumer's events, field by field), as
 * {@link VectorRowsWriter} wrote them before it wrote to the column writers directly: the reference its files are
 * compared with, and a way to write the page layouts it does not (other writer versions, page sizes).
 */
final class RecordConsumerRows extends RowWriteSupport<VectorRow> {
    private final String column;
    private final boolean predictions;

    RecordConsumerRows(MessageType schema, String column, Map<String, String> footer) {
        super(schema, footer);
        this.column = column;
        this.predictions = schema.containsField(VectorSchema.PREDICTED);
    }

    @Override
    public void write(VectorRow row) {
        RecordConsumer out = out();
        out.startMessage();
        out.startField("path", 0);
        out.addBinary(Binary.fromString(row.path()));
        out.endField("path", 0);
        if (row.label() != null) {
            out.startField("label", 1);
            out.addBinary(Binary.fromString(row.label()));
            out.endField("label", 1);
        }
        out.startField(column, 2);
        out.startGroup();
        if (row.values().length > 0) {
            out.startField("list", 0);
            for (float v : row.values()) {
                out.startGroup();
                out.startField("element", 0);
                out.addFloat(v);
                out.endField("element", 0);
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
        out.endField(column, 2);
        if (predictions) {
            out.startField(VectorSchema.PREDICTED, 3);
            out.addBinary(Binary.fromString(row.predicted()));
            out.endField(VectorSchema.PREDICTED, 3);
            out.startField(VectorSchema.SCORE, 4);
            out.addDouble(row.score());
            out.endField(VectorSchema.SCORE, 4);
        }
        out.endMessage();
    }
}
