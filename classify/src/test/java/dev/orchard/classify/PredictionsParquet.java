package dev.orchard.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/** Reads predictions.parquet back with Parquet's generic record API, as any other reader would: tests only. */
final class PredictionsParquet {

    private PredictionsParquet() {
    }

    static MessageType schema(Path file) throws IOException {
        try (var reader = ParquetFileReader.open(new LocalInputFile(file), options())) {
            return reader.getFooter().getFileMetaData().getSchema();
        }
    }

    static List<PredictionRow> read(Path file) throws IOException {
        List<PredictionRow> rows = new ArrayList<>();
        try (var reader = ParquetFileReader.open(new LocalInputFile(file), options())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            for (PageReadStore group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
                RecordReader<Group> records = io.getRecordReader(group, new GroupRecordConverter(schema));
                for (long i = 0; i < group.getRowCount(); i++) {
                    Group g = records.read();
                    rows.add(new PredictionRow(g.getString("path", 0), g.getString("label", 0),
                            g.getString("split", 0), g.getString("predicted", 0), g.getDouble("score", 0)));
                }
            }
        }
        return rows;
    }

    /** Rows of a predictions-<classifier>.parquet written by --apply (label null where the image had none). */
    static List<AppliedPrediction> readApplied(Path file) throws IOException {
        List<AppliedPrediction> rows = new ArrayList<>();
        try (var reader = ParquetFileReader.open(new LocalInputFile(file), options())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            for (PageReadStore group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
                RecordReader<Group> records = io.getRecordReader(group, new GroupRecordConverter(schema));
                for (long i = 0; i < group.getRowCount(); i++) {
                    Group g = records.read();
                    rows.add(new AppliedPrediction(g.getString("path", 0),
                            g.getFieldRepetitionCount("label") == 0 ? null : g.getString("label", 0),
                            g.getString("predicted", 0), g.getDouble("score", 0)));
                }
            }
        }
        return rows;
    }

    static java.util.Map<String, String> footer(Path file) throws IOException {
        try (var reader = ParquetFileReader.open(new LocalInputFile(file), options())) {
            return reader.getFooter().getFileMetaData().getKeyValueMetaData();
        }
    }

    private static ParquetReadOptions options() {
        return ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new dev.orchard.store.parquet.HadoopFreeCodecs()).build();
    }
}
