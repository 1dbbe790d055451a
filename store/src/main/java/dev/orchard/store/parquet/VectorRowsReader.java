package dev.orchard.store.parquet;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a whole Parquet part of {@link VectorRow}s (as written by {@link VectorRowsWriter}), with the classifier's
 * {@code predicted} and {@code score} when the part has them.
 */
public final class VectorRowsReader {

    private VectorRowsReader() {
    }

    /** Reads every row of the part at {@code location}; {@code column} names the vector column. */
    public static List<VectorRow> readAll(ObjectStore store, Location location, String column) throws IOException {
        return readAll(new InMemoryInputFile(store.read(location)), column);
    }

    static List<VectorRow> readAll(InputFile file, String column) throws IOException {
        // ParquetFileReader + ColumnIO rather than ParquetReader: the latter links Hadoop's file-system classes.
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HadoopFreeCodecs())
                .build();
        List<VectorRow> rows = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(file, options)) {
            MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
            if (!fileSchema.containsField("path") || !fileSchema.containsField(column)) {
                throw new IllegalArgumentException("Not an Orchard '" + column + "' file: its schema is " + fileSchema);
            }
            boolean predictions = fileSchema.containsField(VectorSchema.PREDICTED) && fileSchema.containsField(VectorSchema.SCORE);
            MessageType schema = VectorSchema.of(column, predictions);
            reader.setRequestedSchema(schema);
            MessageColumnIO columnIO = new ColumnIOFactory().getColumnIO(schema, fileSchema);
            for (PageReadStore group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
                RecordReader<VectorRow> records = columnIO.getRecordReader(group, new RowMaterializer());
                for (long i = 0, n = group.getRowCount(); i < n; i++) {
                    rows.add(records.read());
                }
            }
        }
        return rows;
    }

    /** Assembles one row from Parquet's column events, growing a float array for the vector. */
    private static final class RowMaterializer extends RecordMaterializer<VectorRow> {
        private String path;
        private String label;
        private String predicted;
        private double score;
        private float[] values = new float[64];
        private int size;

        private final PrimitiveConverter pathConverter = new PrimitiveConverter() {
            @Override
            public void addBinary(Binary value) {
                path = value.toStringUsingUTF8();
            }
        };
        private final PrimitiveConverter labelConverter = new PrimitiveConverter() {
            @Override
            public void addBinary(Binary value) {
                label = value.toStringUsingUTF8();
            }
        };
        private final PrimitiveConverter predictedConverter = new PrimitiveConverter() {
            @Override
            public void addBinary(Binary value) {
                predicted = value.toStringUsingUTF8();
            }
        };
        private final PrimitiveConverter scoreConverter = new PrimitiveConverter() {
            @Override
            public void addDouble(double value) {
                score = value;
            }
        };
        private final PrimitiveConverter elementConverter = new PrimitiveConverter() {
            @Override
            public void addFloat(float value) {
                if (size == values.length) {
                    values = Arrays.copyOf(values, size * 2);
                }
                values[size++] = value;
            }
        };
        private final GroupConverter element = group(elementConverter);
        private final GroupConverter list = group(element);
        private final GroupConverter root = new GroupConverter() {
            @Override
            public Converter getConverter(int field) {
                return switch (field) {
                    case 0 -> pathConverter;
                    case 1 -> labelConverter;
                    case 2 -> list;
                    case 3 -> predictedConverter;
                    default -> scoreConverter;
                };
            }

            @Override
            public void start() {
                path = null;
                label = null;
                predicted = null;
                score = Double.NaN;
                size = 0;
            }

            @Override
            public void end() {
            }
        };

        private static GroupConverter group(Converter child) {
            return new GroupConverter() {
                @Override
                public Converter getConverter(int field) {
                    return child;
                }

                @Override
                public void start() {
                }

                @Override
                public void end() {
                }
            };
        }

        @Override
        public VectorRow getCurrentRecord() {
            return new VectorRow(path, label, Arrays.copyOf(values, size), predicted, score);
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }
}
