package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {

    /**
     * A TIFF of thousands of pages (a microscopy or fax stack): only its first directory is read. metadata-extractor's
     * reader walked every page's directory by recursion and overflowed the stack at 3,000 pages (the diff's review):
     * the image went to errors.csv, where PIL and the JDK's reader read it. Run on a thread of a small stack, on which
     * that recursion overflowed as surely.
     */
    @Test
    void aTiffOfThousandsOfPagesIsReadByItsFirstDirectory() throws Exception {
        assertThat(ExifOrientation.of(pages(2, ByteOrder.LITTLE_ENDIAN))).isEqualTo(6); // classes loaded here, not below
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] tiff = pages(5_000, order);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = new Thread(null, () -> {
                try {
                    result.set(ExifOrientation.of(tiff));
                } catch (Throwable e) {
                    result.set(e);
                }
            }, "small-stack", 512 * 1024);
            t.start();
            t.join();
            assertThat(result.get()).as(order.toString()).isEqualTo(6);
        }
    }

    /** Directories chained page after page, each holding ImageWidth; the first also the orientation 6 (a SHORT). */
    private static byte[] pages(int count, ByteOrder order) {
        int first = 2 + 2 * 12 + 4;
        int other = 2 + 12 + 4;
        ByteBuffer b = ByteBuffer.allocate(8 + first + (count - 1) * other).order(order);
        b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M').put(b.get(0)).putShort((short) 42).putInt(8);
        for (int p = 0; p < count; p++) {
            b.putShort((short) (p == 0 ? 2 : 1));
            entry(b, 256, 1);
            if (p == 0) {
                entry(b, 274, 6);
            }
            b.putInt(p + 1 < count ? b.position() + 4 : 0);
        }
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int value) {
        b.putShort((short) tag).putShort((short) 3).putInt(1).putShort((short) value).putShort((short) 0);
    }
}
