package dev.orchard.protocol;

/** An input that could not be used, and why: it goes to {@code errors.csv}, the job goes on. */
public record ImageError(String path, String reason) {
}
