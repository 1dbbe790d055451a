package dev.orchard.store.parquet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.util.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page compression without Hadoop. parquet-java's own codec factory wraps Hadoop's codec classes, which would
 * drag a Hadoop client onto the classpath; ZSTD through zstd-jni (already a parquet-java dependency) is all
 * Orchard writes, and any Parquet reader (Spark, pyarrow, DuckDB) reads it. Orchard also reads what others write
 * most: SNAPPY (S3 Inventory's Parquet reports, and the default of Spark, pyarrow and DuckDB) through snappy-java,
 * also a parquet-java dependency, and GZIP through the JDK.
 */
public final class HadoopFreeCodecs implements CompressionCodecFactory {

    /** The codec Orchard writes. */
    public static final CompressionCodecName WRITTEN = CompressionCodecName.ZSTD;
    /**
     * ZSTD's level 1 rather than its default 3: on the 52 MB of MobileNetV2 features of a 10,200-image job (1 MB
     * blocks, `zstd -b`), level 1 compressed at 360 MB/s against 147 at level 3, into a file 2.3 % larger (45.1 MB
     * against 44.1): 0.2 s of a core saved per 10,000 images, on the units' threads that share the cores with ONNX
     * Runtime (bench/README.md). Floats that never repeat gain little from level 3's longer matches.
     */
    private static final int LEVEL = 1;
    /** Set once zstd-jni's native library is loaded: the pages' path checks this, not zstd-jni's lock. */
    private static volatile boolean zstdLoaded;

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> new BytesInputCompressor() {
                public BytesInput compress(BytesInput bytes) { return bytes; }
                public CompressionCodecName getCodecName() { return codec; }
                public void release() { }
            };
            case ZSTD -> new BytesInputCompressor() {
                public BytesInput compress(BytesInput bytes) throws IOException {
                    loadZstd();
                    return BytesInput.from(Zstd.compress(bytes.toByteArray(), LEVEL));
                }
                public CompressionCodecName getCodecName() { return codec; }
                public void release() { }
            };
            default -> throw new UnsupportedOperationException("Orchard writes Parquet as ZSTD or UNCOMPRESSED, not " + codec);
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> new BytesInputDecompressor() {
                public BytesInput decompress(BytesInput bytes, int uncompressedSize) { return bytes; }
                public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int uncompressedSize) {
                    ByteBuffer slice = in.duplicate();
                    slice.limit(slice.position() + compressedSize);
                    out.put(slice);
                }
                public void release() { }
            };
            case ZSTD -> new BytesInputDecompressor() {
                public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                    loadZstd();
                    return BytesInput.from(Zstd.decompress(bytes.toByteArray(), uncompressedSize));
                }
                public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int uncompressedSize)
                        throws IOException {
                    loadZstd();
                    byte[] src = new byte[compressedSize];
                    in.duplicate().get(src);
                    out.put(Zstd.decompress(src, uncompressedSize));
                }
                public void release() { }
            };
            case SNAPPY -> new WholePageDecompressor() {
                byte[] decompress(byte[] page, int uncompressedSize) throws IOException {
                    try {
                        return org.xerial.snappy.Snappy.uncompress(page);
                    } catch (LinkageError | org.xerial.snappy.SnappyError e) { // its native library did not load
                        throw new IOException("Cannot read Snappy-compressed Parquet pages: snappy-java's native library"
                                + " did not load (" + e.getMessage() + "); point -Dorg.xerial.snappy.tempdir at a folder"
                                + " that may hold executables, or write the file with ZSTD or GZIP", e);
                    }
                }
            };
            case GZIP -> new WholePageDecompressor() {
                byte[] decompress(byte[] page, int uncompressedSize) throws IOException {
                    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(page))) {
                        return in.readNBytes(uncompressedSize + 1); // a byte more: a page longer than it says fails
                    }
                }
            };
            default -> throw new UnsupportedOperationException("This Parquet file uses " + codec + " compression;"
                    + " Orchard reads ZSTD, SNAPPY, GZIP and UNCOMPRESSED files: write it again with one of those");
        };
    }

    @Override
    public void release() {
    }

    /** A codec read a page at a time, from an array into an array. */
    private abstract static class WholePageDecompressor implements BytesInputDecompressor {
        abstract byte[] decompress(byte[] page, int uncompressedSize) throws IOException;

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(checked(decompress(bytes.toByteArray(), uncompressedSize), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int uncompressedSize)
                throws IOException {
            byte[] src = new byte[compressedSize];
            in.duplicate().get(src);
            out.put(checked(decompress(src, uncompressedSize), uncompressedSize));
        }

        private static byte[] checked(byte[] page, int uncompressedSize) throws IOException {
            if (page.length != uncompressedSize) {
                throw new IOException("A compressed Parquet page gave " + page.length + " bytes where its header says "
                        + uncompressedSize + ": the file is damaged");
            }
            return page;
        }

        @Override
        public void release() {
        }
    }

    /**
     * Loads zstd-jni's native library before the first page. Left to itself, zstd-jni loads it in its {@code Zstd}
     * class's static initialiser, which copies it into the temporary folder first: where that copy fails (a full
     * disk), the class is dead for the JVM's life, and every unit after the first failed with "Could not initialize
     * class com.github.luben.zstd.Zstd", the cause said once, in a WARN (a user's walk). Loaded here, the failure
     * says what to do, every time, and the next unit tries again (the disk may have room by then).
     */
    static void loadZstd() throws IOException {
        if (zstdLoaded) {
            return;
        }
        try {
            Native.load();
            zstdLoaded = true;
        } catch (LinkageError | RuntimeException e) {
            String folder = System.getProperty("ZstdTempFolder", System.getProperty("java.io.tmpdir"));
            throw new IOException("Cannot compress or read ZSTD Parquet pages: zstd-jni's native library did not load ("
                    + e.getMessage() + "). It is copied into " + folder + " first: make room there, or give it another"
                    + " folder with ORCHARD_JAVA_OPTS=-DZstdTempFolder=DIR", e);
        }
    }
}
