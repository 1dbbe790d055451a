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
        String text = new String(store.read(layout.current()), StandardCharsets.UTF_8).trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException(layout.current() + " should hold a generation number, holds '" + text + "'");
        }
    }
}
