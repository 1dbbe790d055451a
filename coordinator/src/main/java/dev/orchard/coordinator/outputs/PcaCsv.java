package dev.orchard.coordinator.outputs;

import dev.orchard.store.parquet.VectorRow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.csv.CSVFormat;

/**
 * The lines of {@code pca.csv}: {@code filename,label,pca} with the projection as {@code "[v1, v2, …]"} (the layout
 * the classic notebooks export), RFC 4180 (CRLF, a field quoted when it holds a comma, quote or line break), text
 * made safe for spreadsheets ({@link SpreadsheetCell}). The same bytes Commons CSV's printer writes (tested), made
 * faster: the vector needs no scan for characters to quote (it holds digits, signs, points, {@code E}, spaces and
 * commas only, so it is quoted exactly when it has a comma, from k = 2 on), and rows are formatted a chunk per core.
 * At k = 50 a 10,000-row output is 500,000 floats to format: ~0.5 s on one core of a fresh JVM, on the critical path
 * at the end of every job and update.
 */
final class PcaCsv {
    static final byte[] HEADER = "filename,label,pca\r\n".getBytes(StandardCharsets.UTF_8);
    private static final CSVFormat FORMAT = CSVFormat.RFC4180;
    /** Rows per formatting task, and tasks per window: at most ~5 MB of formatted text is held at once. */
    private static final int CHUNK = 512;
    private static final int WINDOW = 16;

    private PcaCsv() {
    }

    /** Writes the lines of {@code rows}, in their order, to {@code out}; formats them on the common pool's cores. */
    static void write(List<VectorRow> rows, OutputStream out) throws IOException {
        int chunks = (rows.size() + CHUNK - 1) / CHUNK;
        for (int first = 0; first < chunks; first += WINDOW) {
            int end = Math.min(chunks, first + WINDOW);
            List<byte[]> texts = IntStream.range(first, end).parallel()
                    .mapToObj(c -> lines(rows, c * CHUNK, Math.min(rows.size(), (c + 1) * CHUNK)))
                    .toList();
            for (byte[] text : texts) {
                out.write(text);
            }
        }
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive), as UTF-8 lines. */
    static byte[] lines(List<VectorRow> rows, int from, int to) {
        StringBuilder text = new StringBuilder((to - from) * 700);
        try {
            for (int i = from; i < to; i++) {
                VectorRow row = rows.get(i);
                FORMAT.print(SpreadsheetCell.of(row.path()), text, true);
                FORMAT.print(row.label() == null ? "" : SpreadsheetCell.of(row.label()), text, false);
                text.append(',');
                float[] v = row.values();
                if (v.length > 1) {
                    text.append('"');
                }
                text.append('[');
                for (int j = 0; j < v.length; j++) {
                    if (j > 0) {
                        text.append(", ");
                    }
                    text.append(v[j]);
                }
                text.append(']');
                if (v.length > 1) {
                    text.append('"');
                }
                text.append("\r\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
