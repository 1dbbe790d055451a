package dev.orchard.store.parquet;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet file already read into memory (output parts are a few MB; one GET, no ranged reads). */
final class InMemoryInputFile implements InputFile {
    private final byte[] bytes;

    InMemoryInputFile(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long getLength() {
        return bytes.length;
    }

    @Override
    public SeekableInputStream newStream() {
        return new SeekableInputStream() {
            private int pos;

            @Override
            public long getPos() {
                return pos;
            }

            @Override
            public void seek(long newPos) {
                pos = Math.toIntExact(newPos);
            }

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes.length) {
                    return -1;
                }
                int n = Math.min(len, bytes.length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void readFully(byte[] b) throws IOException {
                readFully(b, 0, b.length);
            }

            @Override
            public void readFully(byte[] b, int off, int len) throws IOException {
                if (len > bytes.length - pos) {
                    throw new EOFException("Parquet file ends early");
                }
                System.arraycopy(bytes, pos, b, off, len);
                pos += len;
            }

            @Override
            public int read(ByteBuffer buf) {
                if (pos >= bytes.length) {
                    return -1;
                }
                int n = Math.min(buf.remaining(), bytes.length - pos);
                buf.put(bytes, pos, n);
                pos += n;
                return n;
            }

            @Override
            public void readFully(ByteBuffer buf) throws IOException {
                if (buf.remaining() > bytes.length - pos) {
                    throw new EOFException("Parquet file ends early");
                }
                read(buf);
            }
        };
    }
}
