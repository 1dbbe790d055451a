package dev.orchard.store;

/**
 * Something a listing met and could not list as an object: a folder it may not read, a symbolic link it does not
 * follow (or that leads nowhere, or back into itself), a file that vanished, a socket. The listing goes on without
 * it; the job records it in {@code errors.csv}, so nothing below the input is left out silently.
 *
 * @param location where
 * @param folder   whether it is, leads to, or may be (its kind could not be read) a folder, whose images are then all
 *                 missing, rather than one file
 * @param reason   why, for {@code errors.csv}
 */
public record ListingProblem(Location location, boolean folder, String reason) {
}
