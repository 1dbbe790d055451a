package dev.orchard.coordinator.work;

import dev.orchard.protocol.PartSource;
import java.util.ArrayList;
import java.util.List;

/**
 * How a generation's sources (base parts, regrouped base parts, units' rows files) become its published parts: the
 * sources that are parts of their own first, each alone; then the rest in order, a part closed once it reaches the
 * target size in bytes or the most sources a part may have. A coordinator resumed after the parts were published
 * rebuilds them from the journal's sources per part instead ({@link #asPublished}).
 */
final class PartGrouping {

    private final List<PartSource> sources = new ArrayList<>();
    private final List<Long> sizes = new ArrayList<>();
    private int whole;

    /** A source that is a part of its own; all of them come before any other source. */
    void addWhole(PartSource source, long bytes) {
        if (whole != sources.size()) {
            throw new IllegalStateException("a whole part after sources to group");
        }
        add(source, bytes);
        whole++;
    }

    /** The next source to group, of {@code bytes}. */
    void add(PartSource source, long bytes) {
        sources.add(source);
        sizes.add(bytes);
    }

    List<PartSource> sources() {
        return sources;
    }

    /** The parts, grouped to {@code partBytes} (a source counts at least 1 byte) and {@code maxSourcesPerPart}. */
    List<List<PartSource>> group(long partBytes, int maxSourcesPerPart) {
        List<List<PartSource>> parts = new ArrayList<>();
        for (int i = 0; i < whole; i++) {
            parts.add(List.of(sources.get(i)));
        }
        List<PartSource> part = new ArrayList<>();
        long bytes = 0;
        for (int i = whole; i < sources.size(); i++) {
            part.add(sources.get(i));
            bytes += Math.max(1, sizes.get(i));
            if (bytes >= partBytes || part.size() >= maxSourcesPerPart) {
                parts.add(List.copyOf(part));
                part = new ArrayList<>();
                bytes = 0;
            }
        }
        if (!part.isEmpty()) {
            parts.add(List.copyOf(part));
        }
        return parts;
    }

    /**
     * The parts as the journal recorded them published, {@code sourcesPerPart} of the sources in order each, as far
     * as the counts fit the sources ({@link #coversAll} says whether they took every source).
     */
    List<List<PartSource>> asPublished(List<Integer> sourcesPerPart) {
        List<List<PartSource>> parts = new ArrayList<>();
        int from = 0;
        for (int count : sourcesPerPart) {
            if (count < 1 || from + count > sources.size()) {
                break;
            }
            parts.add(List.copyOf(sources.subList(from, from + count)));
            from += count;
        }
        return parts;
    }

    /** Whether {@code parts}, consecutive slices of the sources ({@link #asPublished}), hold every source. */
    boolean coversAll(List<List<PartSource>> parts) {
        return parts.stream().mapToInt(List::size).sum() == sources.size();
    }
}
