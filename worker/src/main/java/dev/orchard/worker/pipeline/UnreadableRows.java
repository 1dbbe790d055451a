package dev.orchard.worker.pipeline;

import dev.orchard.protocol.PartSource;
import dev.orchard.store.DamagedFileException;
import dev.orchard.store.FailureReason;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.UnreadablePartException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * A source's rows file that cannot be read, named (Parquet's messages name none), for the units that read one whole:
 * a publish and a regroup. For a part of the generation an update keeps, one damaged or removed since it was written,
 * which no rerun mends (the update's start refuses such a part when its size changed: BaseGenerationCheck), so a
 * damaged file: the job ends at once. Only a file's content or absence is such a failure: a store's failure to read
 * one may pass, and propagates as it was.
 */
final class UnreadableRows {
    private UnreadableRows() {
    }

    /** {@code e}: the file's absence ({@link NoSuchFileException}) or its content's fault (anything else). */
    static IOException of(Location file, PartSource source, Exception e) {
        Throwable cause = e instanceof UnreadablePartException && e.getCause() != null ? e.getCause() : e;
        String why = e instanceof NoSuchFileException ? "it is missing"
                : (e instanceof UnreadablePartException ? "not readable Parquet: " : "") + FailureReason.of(cause);
        String message = file + " (" + source + ") cannot be read: " + why;
        return source.kind() == PartSource.Kind.BASE
                ? new DamagedFileException(message + ". It holds rows of the generation this update keeps, damaged"
                        + " since they were written: " + DamagedFileException.RESTORE, e)
                : new IOException(message, e);
    }
}
