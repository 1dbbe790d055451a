package dev.orchard.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code _orchard/CURRENT}: the generation an output's files hold (absent: 0, a first run's), written by an update's swap. */
public final class CurrentGeneration {
    private CurrentGeneration() {
    }

    public static int read(ObjectStore store, OutputLayout layout) throws IOException {
        if (!store.exists(layout.current())) {
            return 0;
        }
        return parse(layout, store.read(layout.current()));
    }

    /** The generation {@code CURRENT}'s bytes name. */
    public static int parse(OutputLayout layout, byte[] bytes) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8).trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException(layout.current() + " should hold a generation number, holds '" + text + "'");
        }
    }
}
