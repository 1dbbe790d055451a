package dev.orchard.store.parquet;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet file already read into memory (output parts are a few MB; one GET, no ranged reads). */
final class InMemoryInputFile implements InputFile {
    private final byte[] bytes;
    private final String name;

    /** {@code name}: what Parquet's messages call the file (they name it by its {@code toString()}). */
    InMemoryInputFile(byte[] bytes, String name) {
        this.bytes = bytes;
        this.name = name;
    }

    InMemoryInputFile(byte[] bytes) {
        this(bytes, "a Parquet file read into memory");
    }

    @Override
    public String toString() {
        return name; // not the object's identity, which a refused part's message quoted (a user's walk)
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
