package dev.orchard.store.manifest;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The keys a manifest names more than once, found exactly with 8 bytes per key rather than a set of every key (10⁷
 * S3 keys would take gigabytes as strings). A first pass over the manifest {@linkplain #add adds} a 64-bit hash of
 * each key; the hashes seen twice or more are the candidates. A listing pass then {@linkplain #firstSeen keeps} the
 * exact keys of candidates only (the real duplicates and, very rarely, keys whose hashes collide), so every key but
 * a repeat passes. The same manifest gives the same choice every time: the first occurrence stays.
 */
public final class DuplicateKeys {
    private long[] hashes = new long[1024];
    private int count;
    private long[] candidates; // sorted, distinct; null until the first pass is done

    /** First pass: one key. */
    public void add(String key) {
        if (candidates != null) {
            throw new IllegalStateException("the first pass is over");
        }
        if (count == hashes.length) {
            hashes = Arrays.copyOf(hashes, Math.max(1024, (int) Math.min(Integer.MAX_VALUE - 8, 2L * count)));
        }
        hashes[count++] = hash(key);
    }

    /** Ends the first pass. @return how many keys repeat an earlier one (exact unless two keys' hashes collide) */
    public long finish() {
        long[] sorted = Arrays.copyOf(hashes, count);
        hashes = null;
        Arrays.sort(sorted);
        long repeats = 0;
        int distinct = 0;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                repeats++;
                if (distinct == 0 || sorted[distinct - 1] != sorted[i]) {
                    sorted[distinct++] = sorted[i]; // compacts in place: distinct ≤ i - 1 < i
                }
            }
        }
        candidates = Arrays.copyOf(sorted, distinct);
        return repeats;
    }

    /**
     * For one listing pass: true for each key the first time it is seen, false for a repeat. Holds only the keys
     * whose hash is a candidate.
     */
    public Predicate<String> firstSeen() {
        if (candidates == null) {
            throw new IllegalStateException("finish() the first pass first");
        }
        if (candidates.length == 0) {
            return key -> true;
        }
        Set<String> seen = new HashSet<>();
        return key -> Arrays.binarySearch(candidates, hash(key)) < 0 || seen.add(key);
    }

    /** 64 bits of the key: a polynomial string hash, then MurmurHash3's finaliser to spread it. */
    static long hash(String key) {
        long h = 1125899906842597L;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
