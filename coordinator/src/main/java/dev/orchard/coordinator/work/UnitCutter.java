package dev.orchard.coordinator.work;

import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.MessageLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the listing, in order, into units of at most {@code unitSize} images whose paths and labels take at most
 * {@code unitBytes} bytes, so that an assignment always fits in one cluster message however long the keys are.
 */
final class UnitCutter {
    private final int unitSize;
    private final int unitBytes;
    private List<ImageRef> current = new ArrayList<>();
    private int currentBytes;

    UnitCutter(int unitSize, int unitBytes) {
        if (unitSize < 1 || unitBytes < 1) {
            throw new IllegalArgumentException("unit size and bytes must be positive");
        }
        this.unitSize = unitSize;
        this.unitBytes = unitBytes;
    }

    /** The units completed by these images (the rest waits for more, or for {@link #flush()}). */
    List<List<ImageRef>> add(List<ImageRef> images) {
        List<List<ImageRef>> units = new ArrayList<>();
        for (ImageRef image : images) {
            int bytes = MessageLimits.imageBytes(image);
            if (bytes > unitBytes) {
                throw new IllegalArgumentException("path and label of " + image.path() + " take " + bytes
                        + " bytes, more than a unit may (" + unitBytes + "): raise maximum-frame-size");
            }
            if (!current.isEmpty() && (current.size() == unitSize || currentBytes + bytes > unitBytes)) {
                units.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(image);
            currentBytes += bytes;
        }
        if (current.size() == unitSize) {
            units.add(current);
            current = new ArrayList<>();
            currentBytes = 0;
        }
        return units;
    }

    /** The last, partial unit (empty when there is none). */
    List<ImageRef> flush() {
        List<ImageRef> rest = current;
        current = new ArrayList<>();
        currentBytes = 0;
        return rest;
    }
}
