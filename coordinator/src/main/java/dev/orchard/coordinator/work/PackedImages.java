package dev.orchard.coordinator.work;

import dev.orchard.protocol.ImageRef;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A unit's images as the coordinator keeps them between planning and dispatch: the paths' common prefix once,
 * each path's remainder as length-prefixed UTF-8 in one byte array followed by what the listing said of its
 * content (size, version: see {@link ImageRef}), and each label as an index into a shared {@link Labels} table.
 * Versions take their compact form where they have one (an S3 ETag's 32 hex digits as 16 bytes, a local
 * modification time as a number). About 30 bytes per image (plus 9–17 for size and version) instead of ~170 as
 * objects, so 10⁷ keys fit in a small heap.
 */
final class PackedImages {
    private static final int NO_VERSION = 0;
    private static final int NUMBER = 1;
    private static final int QUOTED_MD5 = 2;
    private static final int TEXT = 3;

    private final String prefix;
    private final byte[] suffixes;
    private final int[] labels;

    private PackedImages(String prefix, byte[] suffixes, int[] labels) {
        this.prefix = prefix;
        this.suffixes = suffixes;
        this.labels = labels;
    }

    static PackedImages pack(List<ImageRef> images, Labels table) {
        String prefix = images.get(0).path();
        for (ImageRef image : images) {
            int n = 0;
            int max = Math.min(prefix.length(), image.path().length());
            while (n < max && prefix.charAt(n) == image.path().charAt(n)) {
                n++;
            }
            if (n > 0 && Character.isHighSurrogate(prefix.charAt(n - 1))) {
                n--; // never split an emoji's surrogate pair: each half alone is not UTF-8
            }
            prefix = prefix.substring(0, n);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(images.size() * 40);
        int[] labels = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            ImageRef image = images.get(i);
            byte[] rest = image.path().substring(prefix.length()).getBytes(StandardCharsets.UTF_8);
            writeVarLong(bytes, rest.length);
            bytes.writeBytes(rest);
            writeVarLong(bytes, image.size() + 1); // -1 (unknown) → 0
            writeVersion(bytes, image.version());
            labels[i] = table.indexOf(image.label());
        }
        return new PackedImages(prefix, bytes.toByteArray(), labels);
    }

    int size() {
        return labels.length;
    }

    /** How many of the images have no label. */
    int unlabelled() {
        int n = 0;
        for (int label : labels) {
            if (label < 0) {
                n++;
            }
        }
        return n;
    }

    List<ImageRef> unpack(Labels table) {
        List<ImageRef> images = new ArrayList<>(labels.length);
        int[] pos = {0};
        for (int label : labels) {
            int length = (int) readVarLong(pos);
            String path = prefix + new String(suffixes, pos[0], length, StandardCharsets.UTF_8);
            pos[0] += length;
            long size = readVarLong(pos) - 1;
            String version = readVersion(pos);
            images.add(new ImageRef(path, table.label(label), size, version));
        }
        return images;
    }

    private static void writeVersion(ByteArrayOutputStream out, String version) {
        if (version == null) {
            out.write(NO_VERSION);
        } else if (isCanonicalNumber(version)) {
            out.write(NUMBER);
            writeVarLong(out, Long.parseLong(version));
        } else if (version.length() == 34 && version.charAt(0) == '"' && version.charAt(33) == '"'
                && version.substring(1, 33).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            out.write(QUOTED_MD5);
            out.writeBytes(HexFormat.of().parseHex(version, 1, 33));
        } else {
            byte[] text = version.getBytes(StandardCharsets.UTF_8);
            out.write(TEXT);
            writeVarLong(out, text.length);
            out.writeBytes(text);
        }
    }

    /** Digits only, no leading zero, within a long: what Long.toString gives back unchanged. */
    private static boolean isCanonicalNumber(String s) {
        if (s.isEmpty() || s.length() > 19 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String readVersion(int[] pos) {
        int tag = suffixes[pos[0]++];
        switch (tag) {
            case NO_VERSION:
                return null;
            case NUMBER:
                return Long.toString(readVarLong(pos));
            case QUOTED_MD5: {
                String hex = HexFormat.of().formatHex(suffixes, pos[0], pos[0] + 16);
                pos[0] += 16;
                return '"' + hex + '"';
            }
            default: {
                int length = (int) readVarLong(pos);
                String text = new String(suffixes, pos[0], length, StandardCharsets.UTF_8);
                pos[0] += length;
                return text;
            }
        }
    }

    private long readVarLong(int[] pos) {
        long value = 0;
        int shift = 0;
        int b;
        do {
            b = suffixes[pos[0]++] & 0xff;
            value |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while (b >= 0x80);
        return value;
    }

    private static void writeVarLong(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** Each distinct label once, for the whole job; index -1 is "no label". */
    static final class Labels {
        private final Map<String, Integer> index = new HashMap<>();
        private final List<String> labels = new ArrayList<>();

        int indexOf(String label) {
            if (label == null) {
                return -1;
            }
            return index.computeIfAbsent(label, l -> {
                labels.add(l);
                return labels.size() - 1;
            });
        }

        String label(int i) {
            return i < 0 ? null : labels.get(i);
        }
    }
}
