package dev.orchard.store.parquet;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a whole Parquet part of {@link VectorRow}s (as written by {@link VectorRowsWriter}), with the classifier's
 * {@code predicted} and {@code score} when the part has them.
 */
public final class VectorRowsReader {

    private VectorRowsReader() {
    }

    /**
     * Reads every row of the part at {@code location}; {@code column} names the vector column. A file that is not such
     * a part (truncated, rewritten, another file) is refused naming it: Parquet's own messages name no file ("footer
     * is too large"), or an object's identity.
     */
    public static List<VectorRow> readAll(ObjectStore store, Location location, String column) throws IOException {
        byte[] file = store.read(location);
        try {
            return readAll(new InMemoryInputFile(file, location.toString()), column);
        } catch (IOException | RuntimeException e) {
            throw new UnreadablePartException(location.toString(), column, e);
        }
    }

    /** Reads every row of a part held in memory ({@code file}: its bytes). */
    public static List<VectorRow> readAll(byte[] file, String column) throws IOException {
        return readAll(new InMemoryInputFile(file), column);
    }

    /** How Orchard opens a Parquet file: without Hadoop, with its codecs. */
    static ParquetReadOptions options() {
        return ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HadoopFreeCodecs())
                .build();
    }

    static List<VectorRow> readAll(InputFile file, String column) throws IOException {
        // ParquetFileReader and column readers rather than ParquetReader: the latter links Hadoop's file-system classes.
        ParquetReadOptions options = options();
        List<VectorRow> rows = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(file, options)) {
            MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
            if (!fileSchema.containsField("path") || !fileSchema.containsField(column)) {
                throw new IllegalArgumentException("Not an Orchard '" + column + "' file: its schema is " + fileSchema);
            }
            boolean predictions = fileSchema.containsField(VectorSchema.PREDICTED) && fileSchema.containsField(VectorSchema.SCORE);
            MessageType schema = VectorSchema.of(column, predictions);
            reader.setRequestedSchema(schema);
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            // Column readers are built with converters; values are taken from the readers, so no-op ones do.
            GroupConverter converters = new DummyRecordConverter(schema).getRootConverter();
            ColumnDescriptor vector = schema.getColumns().get(2);
            int index = 0;
            for (PageReadStore group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
                ColumnChunkMetaData chunk = chunk(reader.getRowGroups().get(index++), vector);
                List<float[]> vectors = chunk != null && FloatListColumn.readable(chunk)
                        ? FloatListColumn.read(group.getPageReader(vector), vector, group.getRowCount()) : null;
                readColumns(new ColumnReadStoreImpl(group, converters, schema, createdBy), schema, predictions,
                        group.getRowCount(), vectors, rows);
            }
        }
        return rows;
    }

    /** The column chunk of {@code column} in a row group, or null. */
    private static ColumnChunkMetaData chunk(BlockMetaData rowGroup, ColumnDescriptor column) {
        ColumnPath path = ColumnPath.get(column.getPath());
        return rowGroup.getColumns().stream().filter(c -> c.getPath().equals(path)).findFirst().orElse(null);
    }

    /**
     * The rows of one row group, column by column; the vectors read already by {@link FloatListColumn}, or (null)
     * here from the column reader. (Parquet's record assembly, a converter call per value through its state
     * machine, took 0.65 s per 10,000 rows of 1,280 floats once warm and 2.4 s cold.)
     */
    private static void readColumns(ColumnReadStore columns, MessageType schema, boolean predictions, long count,
                                    List<float[]> vectors, List<VectorRow> rows) {
        List<ColumnDescriptor> descriptors = schema.getColumns(); // path, label, vector element, [predicted, score]
        ColumnReader path = columns.getColumnReader(descriptors.get(0));
        ColumnReader label = columns.getColumnReader(descriptors.get(1));
        ColumnReader vector = vectors == null ? columns.getColumnReader(descriptors.get(2)) : null;
        ColumnReader predicted = predictions ? columns.getColumnReader(descriptors.get(3)) : null;
        ColumnReader score = predictions ? columns.getColumnReader(descriptors.get(4)) : null;
        int elementDefined = descriptors.get(2).getMaxDefinitionLevel();
        long vectorValues = vector == null ? 0 : vector.getTotalValueCount();
        long vectorRead = 0;
        float[] values = new float[64];
        for (long i = 0; i < count; i++) {
            String p = path.getBinary().toStringUsingUTF8();
            path.consume();
            String l = label.getCurrentDefinitionLevel() == 1 ? label.getBinary().toStringUsingUTF8() : null;
            label.consume();
            float[] v;
            if (vectors != null) {
                v = vectors.get((int) i);
            } else {
                int size = 0;
                // A row's values: the first has repetition level 0, the rest 1; an empty list is one undefined entry.
                do {
                    if (vector.getCurrentDefinitionLevel() == elementDefined) {
                        if (size == values.length) {
                            values = Arrays.copyOf(values, size * 2);
                        }
                        values[size++] = vector.getFloat();
                    }
                    vector.consume();
                    vectorRead++;
                } while (vectorRead < vectorValues && vector.getCurrentRepetitionLevel() > 0);
                v = Arrays.copyOf(values, size);
            }
            String pr = null;
            double sc = Double.NaN;
            if (predictions) {
                pr = predicted.getBinary().toStringUsingUTF8();
                predicted.consume();
                sc = score.getDouble();
                score.consume();
            }
            rows.add(new VectorRow(p, l, v, pr, sc));
        }
    }
}
