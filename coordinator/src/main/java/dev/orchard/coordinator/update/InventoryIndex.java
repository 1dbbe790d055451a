package dev.orchard.coordinator.update;

import dev.orchard.coordinator.work.InventoryEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;

/**
 * The base generation's inventory as an update's listing looks it up: per image, a 128-bit digest of its path (MD5:
 * two distinct paths share one with odds of about n²/2¹²⁹, nil for any real bucket), a 64-bit digest of its size and
 * version, its part (-1 for an error), and two marks the comparison sets: listed (the listing gave it) and kept (its
 * row stays). Open addressing over parallel arrays: about 40 bytes per image, so the inventory of 10⁷ images is
 * looked up without holding its paths.
 */
final class InventoryIndex {
    static final byte OCCUPIED = 1;
    static final byte LISTED = 2;
    static final byte KEPT = 4;

    private final MessageDigest md5;
    private long[] hi;
    private long[] lo;
    private long[] content;
    private int[] part;
    private byte[] flags;
    private int size;
    private int rows;

    InventoryIndex() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        allocate(1024);
    }

    static InventoryIndex of(Iterator<InventoryEntry> entries) {
        InventoryIndex index = new InventoryIndex();
        while (entries.hasNext()) {
            index.add(entries.next());
        }
        return index;
    }

    int size() {
        return size;
    }

    /** Rows (not errors) in the base generation. */
    int rows() {
        return rows;
    }

    void add(InventoryEntry e) {
        if ((size + 1) * 10L > hi.length * 7L) {
            grow();
        }
        long[] key = key(e.path());
        int slot = find(key[0], key[1]);
        if ((flags[slot] & OCCUPIED) != 0) {
            throw new IllegalStateException("the inventory names " + e.path() + " twice");
        }
        hi[slot] = key[0];
        lo[slot] = key[1];
        content[slot] = contentKey(e.size(), e.version());
        part[slot] = e.part();
        flags[slot] = OCCUPIED;
        size++;
        if (e.isRow()) {
            rows++;
        }
    }

    /** The slot of {@code path}, or -1 when the base generation does not have it. */
    int lookup(String path) {
        long[] key = key(path);
        int slot = find(key[0], key[1]);
        return (flags[slot] & OCCUPIED) != 0 ? slot : -1;
    }

    boolean sameContent(int slot, long size, String version) {
        return content[slot] == contentKey(size, version);
    }

    int part(int slot) {
        return part[slot];
    }

    boolean has(int slot, byte flag) {
        return (flags[slot] & flag) != 0;
    }

    void mark(int slot, byte flag) {
        flags[slot] |= flag;
    }

    private int find(long h, long l) {
        int mask = hi.length - 1;
        int slot = (int) (h ^ (h >>> 32)) & mask;
        while ((flags[slot] & OCCUPIED) != 0 && (hi[slot] != h || lo[slot] != l)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldHi = hi;
        long[] oldLo = lo;
        long[] oldContent = content;
        int[] oldPart = part;
        byte[] oldFlags = flags;
        allocate(oldHi.length * 2);
        for (int i = 0; i < oldHi.length; i++) {
            if ((oldFlags[i] & OCCUPIED) != 0) {
                int slot = find(oldHi[i], oldLo[i]);
                hi[slot] = oldHi[i];
                lo[slot] = oldLo[i];
                content[slot] = oldContent[i];
                part[slot] = oldPart[i];
                flags[slot] = oldFlags[i];
            }
        }
    }

    private void allocate(int capacity) {
        hi = new long[capacity];
        lo = new long[capacity];
        content = new long[capacity];
        part = new int[capacity];
        flags = new byte[capacity];
    }

    private long[] key(String path) {
        byte[] d = md5.digest(path.getBytes(StandardCharsets.UTF_8));
        return new long[] {bytesToLong(d, 0), bytesToLong(d, 8)};
    }

    private long contentKey(long size, String version) {
        byte[] d = md5.digest((size + "\u0000" + (version == null ? "\u0001" : version)).getBytes(StandardCharsets.UTF_8));
        return bytesToLong(d, 0);
    }

    private static long bytesToLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
