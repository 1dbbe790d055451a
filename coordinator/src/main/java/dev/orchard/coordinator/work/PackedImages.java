package dev.orchard.coordinator.work;

import dev.orchard.protocol.ImageRef;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A unit's images as the coordinator keeps them between planning and dispatch: the paths' common prefix once,
 * each path's remainder as length-prefixed UTF-8 in one byte array, and each label as an index into a shared
 * {@link Labels} table. About 30 bytes per image instead of ~170 as objects, so 10⁷ keys fit in a small heap.
 */
final class PackedImages {
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(images.size() * 24);
        int[] labels = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            byte[] rest = images.get(i).path().substring(prefix.length()).getBytes(StandardCharsets.UTF_8);
            writeVarInt(bytes, rest.length);
            bytes.writeBytes(rest);
            labels[i] = table.indexOf(images.get(i).label());
        }
        return new PackedImages(prefix, bytes.toByteArray(), labels);
    }

    int size() {
        return labels.length;
    }

    List<ImageRef> unpack(Labels table) {
        List<ImageRef> images = new ArrayList<>(labels.length);
        int pos = 0;
        for (int label : labels) {
            int length = 0;
            int shift = 0;
            int b;
            do {
                b = suffixes[pos++] & 0xff;
                length |= (b & 0x7f) << shift;
                shift += 7;
            } while (b >= 0x80);
            images.add(new ImageRef(prefix + new String(suffixes, pos, length, StandardCharsets.UTF_8), table.label(label)));
            pos += length;
        }
        return images;
    }

    private static void writeVarInt(ByteArrayOutputStream out, int value) {
        while (value >= 0x80) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
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
