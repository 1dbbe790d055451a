package dev.orchard.store.parquet;

import java.util.Map;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * The part of a parquet-java writer that every Orchard file shares: a fixed schema, no Hadoop configuration
 * (parquet-java's API still names Hadoop types, so both {@code init} variants are answered), and a builder with
 * Orchard's codec. A subclass only says how one row becomes record-consumer events, through {@link #out()}.
 */
public abstract class RowWriteSupport<T> extends WriteSupport<T> {
    /**
     * The data pages and encodings of every Orchard file: Parquet's version 1 (PLAIN, PLAIN_DICTIONARY, RLE levels),
     * pinned rather than left to parquet-java's default: version 2 brings data page v2 and the DELTA_* encodings,
     * which older readers (Spark's vectorized reader before 3.3, Hive, some Trino/Athena versions) do not all read.
     */
    public static final ParquetProperties.WriterVersion WRITER_VERSION = ParquetProperties.WriterVersion.PARQUET_1_0;

    private final MessageType schema;
    private final Map<String, String> metadata;
    private RecordConsumer out;

    protected RowWriteSupport(MessageType schema, Map<String, String> metadata) {
        this.schema = schema;
        this.metadata = metadata;
    }

    @Override
    public final WriteContext init(ParquetConfiguration conf) {
        return new WriteContext(schema, metadata);
    }

    @Override
    public final WriteContext init(org.apache.hadoop.conf.Configuration conf) {
        return init((ParquetConfiguration) null);
    }

    @Override
    public final void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    protected final RecordConsumer out() {
        return out;
    }

    /** Writes field {@code index} ({@code name}) of the current record as a UTF-8 string. */
    protected final void string(int index, String name, String value) {
        out.startField(name, index);
        out.addBinary(Binary.fromString(value));
        out.endField(name, index);
    }

    /** Writes field {@code index} ({@code name}) of the current record as a double. */
    protected final void number(int index, String name, double value) {
        out.startField(name, index);
        out.addDouble(value);
        out.endField(name, index);
    }

    /** A writer builder for {@code file}: Hadoop-free configuration, ZSTD pages, overwrite, {@link #WRITER_VERSION}. */
    public static <T> ParquetWriter.Builder<T, ?> writer(OutputFile file, RowWriteSupport<T> support) {
        return new Builder<>(file, support)
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withWriterVersion(WRITER_VERSION)
                .withCodecFactory(new HadoopFreeCodecs())
                .withCompressionCodec(HadoopFreeCodecs.WRITTEN);
    }

    private static final class Builder<T> extends ParquetWriter.Builder<T, Builder<T>> {
        private final WriteSupport<T> support;

        Builder(OutputFile file, WriteSupport<T> support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(ParquetConfiguration conf) {
            return support;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return support;
        }
    }
}
