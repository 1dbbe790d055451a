package dev.orchard.store.parquet;

import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet list of S3 objects with string columns {@code bucket} and {@code key} and, if present, an integer
 * {@code size}: the layout of an S3 Inventory report in Parquet (whose other columns are ignored). Rows stream one
 * row group at a time.
 */
public final class ObjectListReader {

    private ObjectListReader() {
    }

    /** The objects listed in a Parquet file already in memory; {@code name} is for messages. Close the stream. */
    public static Stream<StoredObject> read(byte[] file, String name) throws IOException {
        return read(new InMemoryInputFile(file, name), name);
    }

    /** The objects listed in a local Parquet file. Close the stream. */
    public static Stream<StoredObject> read(Path file) throws IOException {
        return read(new LocalInputFile(file), file.toString());
    }

    private static Stream<StoredObject> read(InputFile file, String name) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HadoopFreeCodecs())
                .build();
        ParquetFileReader reader = ParquetFileReader.open(file, options);
        try {
            Rows rows = new Rows(reader, name);
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED | Spliterator.NONNULL),
                    false).onClose(rows::close);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private static final class Rows implements Iterator<StoredObject> {
        private final ParquetFileReader reader;
        private final String name;
        private final MessageColumnIO columnIO;
        private final boolean hasSize;
        private RecordReader<Group> records;
        private long left;

        Rows(ParquetFileReader reader, String name) throws IOException {
            this.reader = reader;
            this.name = name;
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            List<Type> columns = new ArrayList<>();
            columns.add(stringColumn(schema, "bucket"));
            columns.add(stringColumn(schema, "key"));
            hasSize = schema.containsField("size") && schema.getType("size").isPrimitive()
                    && schema.getType("size").asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT64;
            if (hasSize) {
                columns.add(schema.getType("size"));
            }
            MessageType projection = new MessageType(schema.getName(), columns);
            reader.setRequestedSchema(projection);
            this.columnIO = new ColumnIOFactory().getColumnIO(projection, schema);
        }

        private Type stringColumn(MessageType schema, String column) {
            if (!schema.containsField(column) || !schema.getType(column).isPrimitive()
                    || schema.getType(column).asPrimitiveType().getPrimitiveTypeName() != PrimitiveTypeName.BINARY) {
                throw new IllegalArgumentException("The object list " + name + " needs string columns 'bucket' and 'key' "
                        + "(as in an S3 Inventory report); its schema is " + schema);
            }
            return schema.getType(column);
        }

        @Override
        public boolean hasNext() {
            try {
                while (left == 0) {
                    PageReadStore group = reader.readNextRowGroup();
                    if (group == null) {
                        return false;
                    }
                    records = columnIO.getRecordReader(group, new GroupRecordConverter(columnIO.getType()));
                    left = group.getRowCount();
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the object list " + name, e);
            }
        }

        @Override
        public StoredObject next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            left--;
            Group row = records.read();
            long size = hasSize && row.getFieldRepetitionCount("size") > 0 ? row.getLong("size", 0) : -1;
            return new StoredObject(new Location(Location.Scheme.S3, row.getString("bucket", 0), row.getString("key", 0)), size);
        }

        void close() {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
