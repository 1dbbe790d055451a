package dev.orchard.worker.image;

/**
 * What a JPEG's markers say before any pixel is decoded: how many scans it has and how much memory libjpeg will
 * hold for its DCT coefficients. Both matter for hostile files: a progressive JPEG of a few kilobytes may hold
 * thousands of tiny scans, each of which makes the decoder pass over the whole image (minutes of CPU; libjpeg-turbo
 * 2.1+ refuses more than 500 with {@code TJFLAG_LIMITSCANS}, ImageIO's libjpeg has no limit), and a JPEG decoded
 * in several scans (progressive, or baseline with one component per scan) makes libjpeg keep every coefficient of
 * the image at once: 2 bytes per sample, in native memory the Java heap limit does not bound.
 *
 * <p>Hand-written because no decoder answers these questions before decoding. It reads marker segments only, and
 * walks the entropy-coded data (to find the next marker) only of JPEGs that have more than one scan.
 */
record JpegStructure(int width, int height, int components, boolean multiScan, int scans, long coefficientBytes) {

    /** libjpeg-turbo's own limit (TJFLAG_LIMITSCANS, djpeg -maxscans in its docs' example). */
    static final int MAX_SCANS = 500;

    /** Reads the markers of {@code jpeg} (starting with SOI); stops early past {@link #MAX_SCANS} scans. */
    static JpegStructure of(byte[] jpeg) {
        int n = jpeg.length;
        int i = 2;
        int width = 0;
        int height = 0;
        boolean progressive = false;
        int components = 0;
        long coefficients = 0;
        boolean multiScan = false;
        int scans = 0;
        while (i + 1 < n) {
            if ((jpeg[i] & 0xff) != 0xff) {
                i++; // not at a marker: damaged; decoders will say so
                continue;
            }
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xff) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xd9) {
                break; // EOI
            }
            if (marker == 0x01 || marker == 0x00 || (marker >= 0xd0 && marker <= 0xd8)) {
                i += 2; // markers without a length
                continue;
            }
            if (i + 3 >= n) {
                break;
            }
            int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
            int segment = i + 4;
            int end = i + 2 + length;
            if (length < 2 || end > n) {
                break; // truncated: decoders report it
            }
            if (isStartOfFrame(marker) && length >= 8) {
                progressive = marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce;
                height = ((jpeg[segment + 1] & 0xff) << 8) | (jpeg[segment + 2] & 0xff);
                width = ((jpeg[segment + 3] & 0xff) << 8) | (jpeg[segment + 4] & 0xff);
                components = jpeg[segment + 5] & 0xff;
                coefficients = coefficientBytes(jpeg, segment + 6, Math.min(components, (end - segment - 6) / 3), width, height);
            } else if (marker == 0xda) {
                scans++;
                int inScan = segment < n ? jpeg[segment] & 0xff : 0;
                multiScan |= progressive || inScan < components;
                if (!multiScan || scans > MAX_SCANS) {
                    break; // one interleaved baseline scan: nothing more to learn; or already too many
                }
                i = nextMarker(jpeg, end);
                continue;
            }
            i = end;
        }
        return new JpegStructure(width, height, components, multiScan, scans, multiScan ? coefficients : 0);
    }

    /**
     * Refuses a JPEG with more than {@link #MAX_SCANS} scans: decoding time grows with scans × image size, so a few
     * kilobytes could hold a worker for minutes.
     */
    void checkScans() throws BadImageException {
        if (scans > MAX_SCANS) {
            throw new BadImageException("progressive JPEG with more than " + MAX_SCANS + " scans (a decoding-time "
                    + "bomb; real photos have at most a few dozen)");
        }
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    }

    /** libjpeg's whole-image coefficient arrays: 64 two-byte coefficients per 8×8 block of each component. */
    private static long coefficientBytes(byte[] jpeg, int at, int components, int width, int height) {
        int hMax = 1;
        int vMax = 1;
        for (int c = 0; c < components; c++) {
            int sampling = jpeg[at + 3 * c + 1] & 0xff;
            hMax = Math.max(hMax, sampling >> 4);
            vMax = Math.max(vMax, sampling & 15);
        }
        long bytes = 0;
        for (int c = 0; c < components; c++) {
            int sampling = jpeg[at + 3 * c + 1] & 0xff;
            long w = ceilDiv((long) width * Math.max(1, sampling >> 4), hMax);
            long h = ceilDiv((long) height * Math.max(1, sampling & 15), vMax);
            bytes += ceilDiv(w, 8) * ceilDiv(h, 8) * 64 * 2;
        }
        return bytes;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The index of the next marker after entropy-coded data starting at {@code i} (stuffed 0xFF00 and RSTn skipped). */
    private static int nextMarker(byte[] jpeg, int i) {
        int n = jpeg.length;
        while (i + 1 < n) {
            if ((jpeg[i] & 0xff) != 0xff) {
                i++;
                continue;
            }
            int next = jpeg[i + 1] & 0xff;
            if (next == 0x00 || (next >= 0xd0 && next <= 0xd7) || next == 0xff) {
                i += next == 0xff ? 1 : 2;
                continue;
            }
            return i;
        }
        return n;
    }
}
