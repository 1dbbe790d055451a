package dev.orchard.coordinator;

/** What the coordinator tells whoever started the job (the progress bar, the embedded launcher). */
public interface JobListener {

    /** {@code listed} images found so far; {@code complete} once the listing has finished. */
    default void listed(long listed, boolean complete) {
    }

    /**
     * Images through the features phase (rows written or recorded as errors); {@code imagesBefore} of them were
     * through it before this coordinator started (a resumed job's): a rate counts only the others.
     */
    default void progress(long imagesDone, long imagesBefore, long errors) {
    }

    default void phase(String description) {
    }

    /** Where the job stands, about once a second (for a status page or metrics; called on the coordinator's thread). */
    default void status(dev.orchard.coordinator.work.WorkState.Snapshot snapshot) {
    }

    void finished(JobSummary summary);

    void failed(Throwable cause);
}
