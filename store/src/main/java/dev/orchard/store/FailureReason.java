package dev.orchard.store;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;

/**
 * A failure in words, for a unit's reason, a line of {@code errors.csv} or a listing problem. A file system failure's
 * own message is often only the file's name: a worker that could not read the job's model reported
 * "/tmp/bw/model.onnx" as the reason its units failed, and nothing said it lacked the permission.
 */
public final class FailureReason {

    private FailureReason() {
    }

    /** What went wrong with {@code failure} (the cause of a {@code CompletionException}): never only a path. */
    public static String of(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof FileSystemException f && f.getReason() == null) {
            String other = f.getOtherFile() == null ? "" : " → " + f.getOtherFile();
            return f.getFile() == null ? what(f) : f.getFile() + other + ": " + what(f);
        }
        return message(cause);
    }

    /** What went wrong with {@code failure}, for a message that names its file already (a listing's, errors.csv's). */
    public static String withoutFile(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof FileSystemException f) {
            return f instanceof AccessDeniedException || f.getReason() == null ? what(f)
                    : NAME_TOO_LONG.equals(f.getReason()) ? PATH_TOO_LONG : f.getReason();
        }
        return message(cause);
    }

    /** The system's words for ENAMETOOLONG, which read as if the file's own name were at fault (a user's walk). */
    private static final String NAME_TOO_LONG = "File name too long";
    private static final String PATH_TOO_LONG = "path too long for the file system (a name over 255 bytes, or a whole"
            + " path over 4,096 on Linux): move or rename the folders above it";

    /**
     * An update's regroup of a base part failed three times with "Cannot reserve 45185917 bytes of direct buffer memory
     * (allocated: …, limit: …)" and nothing said what to do (a JVM started with -Xmx128m: a part's row group is read
     * whole, up to the 128 MiB part size, and direct buffers are limited to the heap's size by default).
     */
    private static final String OUT_OF_MEMORY = " (the JVM ran out of memory: give it more with ORCHARD_JAVA_OPTS=-Xmx8g, or"
            + " -XX:MaxRAMPercentage=N for a share of the machine; the orchard launcher's default heap is 4 GiB)";

    /**
     * The message, and its cause's where parquet-java wraps it: "could not write page for [features, list,
     * element]…" alone hid what failed beneath (zstd-jni's library not loaded, in a user's walk).
     */
    private static String message(Throwable cause) {
        String own = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (cause instanceof OutOfMemoryError && (own.contains("Java heap space") || own.contains("direct buffer memory"))) {
            return own + OUT_OF_MEMORY; // not "unable to create native thread" or Metaspace, which more heap does not help
        }
        boolean wraps = cause instanceof org.apache.parquet.io.ParquetEncodingException
                || cause instanceof org.apache.parquet.io.ParquetDecodingException;
        return wraps && cause.getCause() != null ? own + ": " + of(cause.getCause()) : own;
    }

    /**
     * {@code failure} naming {@code file}, where it names no file: a write's "No space left on device" said neither
     * the output nor the temporary folder (a user's walk). A file system failure, which names its own, is kept.
     */
    public static java.io.IOException naming(java.nio.file.Path file, java.io.IOException failure) {
        if (failure instanceof FileSystemException) {
            return failure;
        }
        FileSystemException named = new FileSystemException(file.toString(), null,
                failure.getMessage() != null ? failure.getMessage() : failure.toString());
        named.initCause(failure);
        return named;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String what(FileSystemException f) {
        return f instanceof AccessDeniedException ? "permission denied"
                : f instanceof NoSuchFileException ? "no such file"
                : f instanceof NotDirectoryException ? "not a folder"
                : f instanceof FileAlreadyExistsException ? "already exists"
                : f instanceof DirectoryNotEmptyException ? "folder not empty"
                : f.getClass().getSimpleName();
    }
}
