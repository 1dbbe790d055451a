package dev.orchard.protocol;

/**
 * What a worker says about itself in each status, for the status page and the job report: its host, inference
 * lanes, and images it has finished since it started (any job).
 */
public record WorkerInfo(String host, int lanes, long imagesDone) {
    public static final WorkerInfo UNKNOWN = new WorkerInfo("", 0, 0);
}
