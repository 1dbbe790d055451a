package dev.orchard.coordinator.work;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Where one image of a generation ended, as its inventory records it: its path, what the listing said of its
 * content (size, version: see {@code ImageRef}), and the part that holds its row, or (part -1) the reason it is an
 * error. An update compares the next listing with these lines.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InventoryEntry(String path, long size, String version, int part, String error) {

    public InventoryEntry {
        Objects.requireNonNull(path, "path");
        if ((error == null) == (part < 0)) {
            throw new IllegalArgumentException("an inventory entry has a part or an error, not both: " + path);
        }
    }

    public static InventoryEntry row(String path, long size, String version, int part) {
        return new InventoryEntry(path, size, version, part, null);
    }

    public static InventoryEntry error(String path, long size, String version, String reason) {
        return new InventoryEntry(path, size, version, -1, reason == null ? "unknown" : reason);
    }

    @JsonIgnore
    public boolean isRow() {
        return error == null;
    }

    /** Whether the listing describes the same content (same size and version) as this entry. */
    public boolean sameContent(long otherSize, String otherVersion) {
        return size == otherSize && Objects.equals(version, otherVersion);
    }
}
