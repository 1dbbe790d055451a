package dev.orchard.store.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;

/**
 * Parquet's RLE/bit-packing hybrid encoding of repetition and definition levels, decoded in bulk into an int array
 * (parquet-java's decoder hands out one value per call, which was most of the time reading a vector column).
 * Format (parquet-format Encodings.md): runs, each a ULEB128 header; an even header is an RLE run of
 * {@code header >>> 1} copies of one value stored in {@code ceil(width / 8)} little-endian bytes; an odd header is
 * {@code header >>> 1} groups of 8 values bit-packed at {@code width} bits, least significant bit first.
 */
final class Levels {

    private Levels() {
    }

    static void decode(ByteBuffer in, int width, int count, int[] into) throws IOException {
        if (width == 0) {
            Arrays.fill(into, 0, count, 0);
            return;
        }
        BytePacker packer = Packer.LITTLE_ENDIAN.newBytePacker(width);
        int valueBytes = (width + 7) / 8;
        byte[] group = new byte[width]; // 8 values of width bits
        int[] unpacked = new int[8];
        int done = 0;
        while (done < count) {
            if (!in.hasRemaining()) {
                throw new IOException("levels end after " + done + " of " + count + " values");
            }
            int header = readUnsignedVarInt(in);
            if ((header & 1) == 0) {
                int run = header >>> 1;
                int value = 0;
                for (int b = 0; b < valueBytes; b++) {
                    value |= (in.get() & 0xff) << (8 * b);
                }
                int end = Math.min(count, done + run);
                Arrays.fill(into, done, end, value);
                done = end;
            } else {
                int groups = header >>> 1;
                for (int g = 0; g < groups; g++) {
                    int available = Math.min(width, in.remaining()); // the last group may be cut short
                    Arrays.fill(group, (byte) 0);
                    in.get(group, 0, available);
                    packer.unpack8Values(group, 0, unpacked, 0);
                    int take = Math.min(8, count - done);
                    if (take > 0) {
                        System.arraycopy(unpacked, 0, into, done, take);
                        done += take;
                    }
                }
            }
        }
    }

    private static int readUnsignedVarInt(ByteBuffer in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.get() & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed level run header");
    }
}
