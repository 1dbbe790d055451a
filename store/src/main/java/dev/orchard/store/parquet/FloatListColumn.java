package dev.orchard.store.parquet;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * The vectors of a {@code list<float>} column chunk, read page by page: the levels through parquet-java's own
 * decoders, the PLAIN floats of each page in one bulk copy. parquet-java's column reader takes one call chain per
 * value (bounds and page checks, level and value decoders): 0.4-0.65 s per 10,000 rows of 1,280 floats once warm
 * and 1.2-2.4 s cold, most of an update's re-projection of its stored rows (bench/RESULTS.md). Chunks this cannot
 * read (a dictionary, another value encoding such as BYTE_STREAM_SPLIT) are left to the column reader.
 */
final class FloatListColumn {
    private static final Set<Encoding> READABLE = EnumSet.of(Encoding.PLAIN, Encoding.RLE, Encoding.BIT_PACKED);

    private FloatListColumn() {
    }

    /** Whether {@link #read} reads this chunk (PLAIN values, RLE or bit-packed levels, no dictionary). */
    static boolean readable(ColumnChunkMetaData chunk) {
        return !chunk.hasDictionaryPage() && READABLE.containsAll(chunk.getEncodings());
    }

    /** The {@code rows} vectors of a readable chunk, in row order (an empty list gives an empty vector). */
    static List<float[]> read(PageReader pages, ColumnDescriptor column, long rows) throws IOException {
        int defined = column.getMaxDefinitionLevel();
        List<float[]> vectors = new ArrayList<>((int) Math.min(rows, Integer.MAX_VALUE));
        float[] row = null;
        int size = 0;
        int[] repetition = new int[0];
        int[] definition = new int[0];
        for (DataPage page = pages.readPage(); page != null; page = pages.readPage()) {
            int count = page.getValueCount();
            if (repetition.length < count) {
                repetition = new int[count];
                definition = new int[count];
            }
            FloatBuffer values = open(page, column, repetition, definition);
            for (int i = 0; i < count; ) {
                if (row == null && repetition[i] != 0) {
                    throw new IOException("column " + column + " starts inside a row");
                }
                if (repetition[i] == 0) { // a new row starts
                    if (row != null) {
                        vectors.add(size == row.length ? row : Arrays.copyOf(row, size));
                    }
                    row = new float[row == null ? 64 : Math.max(size, 1)]; // rows are usually all alike
                    size = 0;
                }
                int end = i + 1; // this row's entries in this page: [i, end)
                int present = definition[i] == defined ? 1 : 0;
                while (end < count && repetition[end] != 0) {
                    present += definition[end] == defined ? 1 : 0;
                    end++;
                }
                if (size + present > row.length) {
                    row = Arrays.copyOf(row, Math.max(size + present, row.length * 2));
                }
                if (present == end - i) {
                    values.get(row, size, present); // no empty entries: the values in one copy
                    size += present;
                } else {
                    for (int e = i; e < end; e++) {
                        if (definition[e] == defined) {
                            row[size++] = values.get();
                        }
                    }
                }
                i = end;
            }
        }
        if (row != null) {
            vectors.add(size == row.length ? row : Arrays.copyOf(row, size));
        }
        if (vectors.size() != rows) {
            throw new IOException("column " + column + " holds " + vectors.size() + " rows, its row group " + rows);
        }
        return vectors;
    }

    /** Decodes a page's levels into {@code repetition} and {@code definition}; returns its values. */
    private static FloatBuffer open(DataPage page, ColumnDescriptor column, int[] repetition, int[] definition)
            throws IOException {
        int count = page.getValueCount();
        int rlWidth = BytesUtils.getWidthFromMaxInt(column.getMaxRepetitionLevel());
        int dlWidth = BytesUtils.getWidthFromMaxInt(column.getMaxDefinitionLevel());
        if (page instanceof DataPageV1 v1) {
            if (v1.getValueEncoding() != Encoding.PLAIN) {
                throw new IOException("page of " + column + " is " + v1.getValueEncoding() + ", not PLAIN");
            }
            ByteBufferInputStream in = v1.getBytes().toInputStream();
            levelsV1(v1.getRlEncoding(), column, ValuesType.REPETITION_LEVEL, rlWidth, in, count, repetition);
            levelsV1(v1.getDlEncoding(), column, ValuesType.DEFINITION_LEVEL, dlWidth, in, count, definition);
            return floats(in);
        }
        DataPageV2 v2 = (DataPageV2) page;
        if (v2.getDataEncoding() != Encoding.PLAIN) {
            throw new IOException("page of " + column + " is " + v2.getDataEncoding() + ", not PLAIN");
        }
        Levels.decode(v2.getRepetitionLevels().toByteBuffer(), rlWidth, count, repetition);
        Levels.decode(v2.getDefinitionLevels().toByteBuffer(), dlWidth, count, definition);
        return floats(v2.getData().toInputStream());
    }

    /** A V1 page's levels: RLE (length-prefixed hybrid) decoded in bulk; another encoding through its reader. */
    private static void levelsV1(Encoding encoding, ColumnDescriptor column, ValuesType type, int width,
                                 ByteBufferInputStream in, int count, int[] into) throws IOException {
        if (width == 0) {
            Arrays.fill(into, 0, count, 0);
        } else if (encoding == Encoding.RLE) {
            int length = BytesUtils.readIntLittleEndian(in);
            Levels.decode(in.slice(length), width, count, into);
        } else {
            ValuesReader reader = encoding.getValuesReader(column, type);
            reader.initFromPage(count, in);
            for (int i = 0; i < count; i++) {
                into[i] = reader.readInteger();
            }
        }
    }

    private static FloatBuffer floats(ByteBufferInputStream in) throws IOException {
        return in.slice((int) in.available()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }
}
