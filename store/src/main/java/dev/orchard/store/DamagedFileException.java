package dev.orchard.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * A file Orchard wrote into an output (its journal, lease, generation summary, job record) that does not read as
 * Orchard wrote it: damaged since, by a disk, a copy or a hand. Only the user can mend it, so a command that meets one
 * exits as for bad input (2), naming the file and what to do; before, Jackson's own words came out alone ("Illegal
 * unquoted character … at [Source: REDACTED …]", exit 1), naming no file (a damaged {@code _orchard/job.json},
 * {@code lease.json}, {@code generation.json}, a seal, a commit or a plan file: a user's walk). Orchard writes each such
 * file in one step (a rename, or one PUT), so a job stopped half-way leaves none of them half-written.
 */
public final class DamagedFileException extends IOException {
    /** What a journal file is to Orchard. */
    public static final String JOURNAL = "one of the files Orchard keeps to resume and update this output (its journal)";
    /** What a generation's summary is to Orchard. */
    public static final String SUMMARY = "the summary of this output's rows, which --update and orchard classify read";
    /** What a part's or a commit's covariance statistics are to Orchard. */
    public static final String STATISTICS = "covariance statistics Orchard keeps to solve this output's PCA and to"
            + " update it";
    /** What to do about most of them. */
    public static final String RESTORE = "restore it from a copy, or make the output again from the input with"
            + " --overwrite";
    /** {@link #RESTORE}, for a pair of files one of which is damaged (a part and its statistics or inventory). */
    public static final String RESTORE_BOTH = "restore them from a copy, or make the output again from the input with"
            + " --overwrite";

    /**
     * @param role   what the file is to Orchard ("one of the files Orchard keeps to resume and update this output")
     * @param remedy what the user can do
     */
    public DamagedFileException(Object file, String why, String role, String remedy, Throwable cause) {
        super(file + " is damaged (" + why + "): it is " + role + "; " + remedy, cause);
    }

    /** A file that is not what Orchard writes there, or no longer: {@code message} says which and what to do. */
    public DamagedFileException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * {@code bytes}, read from {@code file}, decoded by {@code decoder}, which refuses what it cannot decode with an
     * {@link IllegalArgumentException} (a covariance partial's).
     */
    public static <T> T decode(byte[] bytes, Object file, java.util.function.Function<byte[], T> decoder, String role,
                               String remedy) throws DamagedFileException {
        try {
            return decoder.apply(bytes);
        } catch (IllegalArgumentException e) {
            throw new DamagedFileException(file, e.getMessage(), role, remedy, e);
        }
    }

    /** The damaged file {@code failure} is, or was caused by; null when it is none. */
    public static DamagedFileException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DamagedFileException d) {
                return d;
            }
        }
        return null;
    }

    /** {@code bytes}, read from {@code file}, as JSON of {@code type}. */
    public static <T> T readJson(ObjectMapper json, byte[] bytes, Object file, Class<T> type, String role, String remedy)
            throws DamagedFileException {
        try {
            return json.readValue(bytes, type);
        } catch (IOException e) {
            throw damaged(file, e, "", role, remedy);
        }
    }

    /** Line {@code line} (from 1) of a JSON-lines {@code file}, as JSON of {@code type}. */
    public static <T> T readJsonLine(ObjectMapper json, String text, Object file, int line, Class<T> type, String role,
                                     String remedy) throws DamagedFileException {
        try {
            return json.readValue(text, type);
        } catch (IOException e) {
            throw damaged(file, e, "line " + line + ": ", role, remedy);
        }
    }

    /** {@code bytes}, read from {@code file}, as a JSON tree. */
    public static JsonNode readTree(ObjectMapper json, byte[] bytes, Object file, String role, String remedy)
            throws DamagedFileException {
        JsonNode tree;
        try {
            tree = json.readTree(bytes);
        } catch (IOException e) {
            throw damaged(file, e, "", role, remedy);
        }
        if (tree == null || tree.isMissingNode()) { // an empty file
            throw new DamagedFileException(file, "it is empty", role, remedy, null);
        }
        return tree;
    }

    /** Jackson's reason without its "[Source: REDACTED …]" tail, and where in the file. */
    private static DamagedFileException damaged(Object file, IOException e, String prefix, String role, String remedy) {
        String why;
        if (e instanceof JacksonException j) {
            JsonLocation at = j.getLocation();
            String where = at == null || at.getLineNr() < 1 ? ""
                    : (prefix.isEmpty() ? " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                            : " at column " + at.getColumnNr());
            why = prefix + "not the JSON Orchard writes: " + j.getOriginalMessage() + where;
        } else {
            why = prefix + FailureReason.of(e);
        }
        return new DamagedFileException(file, why, role, remedy, e);
    }
}
