package dev.orchard.cli;

import dev.orchard.coordinator.JobIdentity;
import dev.orchard.coordinator.update.BaseGenerationCheck;
import dev.orchard.coordinator.update.GenerationSummary;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code --update} may do with an output, decided before any work starts: continue an update in progress (the
 * same command, resumed), or start the next generation from a finished one whose rows mean what this command's
 * would (same model, spec, tensor, label rule, reduction). Everything else is refused with what to do instead.
 */
final class UpdateCheck {

    /** The generation the update makes, whether it continues one in progress, and what changed since the last. */
    /**
     * @param rewritesRecord a continued update that writes its identity again: a new --pca-k, or a record of an Orchard
     *                       before the size bound was the job's, which records the bound this command reads by
     */
    record Plan(int generation, boolean continuing, List<String> changes, boolean rewritesRecord) {
        Plan(int generation, boolean continuing, List<String> changes) {
            this(generation, continuing, changes, false);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpdateCheck.class);

    private UpdateCheck() {
    }

    static Plan check(ObjectStore store, Location output, JobIdentity identity, String running) throws IOException {
        OutputLayout layout = new OutputLayout(output);
        JobIdentity first = JobIdentity.readMarker(store, layout);
        if (first == null) {
            if (output.isLocal() && java.nio.file.Files.isRegularFile(output.path())) { // as every other mode says it
                throw new IllegalArgumentException("--output " + output + " is a file, not a folder: give the folder"
                        + " (or prefix) of an earlier orchard run's results");
            }
            String empty;
            try (Stream<?> objects = store.list(output)) {
                empty = objects.findAny().isEmpty() ? "is empty" : null;
            } catch (java.nio.file.NoSuchFileException e) {
                empty = "does not exist";
            }
            throw new IllegalArgumentException(empty != null
                    ? "--update needs an output an earlier orchard run wrote, and " + output + " " + empty + ": run the"
                            + " job once without --update"
                    : "--update refused: " + output + " is not an Orchard output (it has no " + layout.marker() + ")");
        }
        int current = GenerationSummary.current(store, layout);
        int inProgress = inProgress(store, layout);
        if (inProgress > 0) {
            return continuing(JobIdentity.read(store, layout, inProgress), identity, store, output, inProgress, running);
        }
        int next = current + 1;
        // A new update needs the output to itself; one that continues (above) leaves the lease to the coordinator,
        // which takes it over from a holder that left the cluster, as --resume does.
        if (running != null) {
            throw new IllegalArgumentException("--update refused: " + running);
        }
        if (!store.exists(layout.success())) {
            throw new IllegalArgumentException("--update refused: the job in " + output + " has not finished (it has no"
                    + " _SUCCESS): finish it first with the command that started it and --resume");
        }
        GenerationSummary summary = GenerationSummary.read(store, layout, current);
        if (summary == null) {
            throw new IllegalArgumentException("--update refused: " + output + " was written by an Orchard that keeps no"
                    + " inventory of its images, so there is nothing to compare the input with: run the job afresh"
                    + " with --overwrite (every image is computed again)");
        }
        // Before the update is recorded: refused later, by its coordinator, it stood as an update in progress that a
        // command with other options could not start over (a reviewer). The coordinator checks again (a resume).
        BaseGenerationCheck.requireIntact(store, layout, output, summary.base());
        JobIdentity last = JobIdentity.read(store, layout, current);
        if (last == null) {
            throw new IllegalArgumentException("--update refused: generation " + current + " of " + output
                    + " has no record of the job that wrote it: run the job afresh with --overwrite");
        }
        List<String> refused = last.meaningDifferences(identity);
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("--update refused: the rows in " + output + " were made otherwise, and"
                    + " an update must not mix rows that mean different things:\n  " + String.join("\n  ", refused)
                    + "\nUse the same model, spec, feature tensor, labels, --reduce options, decode limits (--max-pixels,"
                    + " --max-decode-mib, --no-reduced-decode, --max-object-bytes) and --classifier (an update takes"
                    + " the output's --feature-tensor, --reduce, --srp-dim, --seed and decode limits where they are not"
                    + " given, never its"
                    + " classifier: pass the classifier its rows were labelled with; one retrained in place, as"
                    + " 'orchard classify --overwrite' does, is another, and a part the update keeps whole keeps the"
                    + " old one's labels), or run afresh with --overwrite or a new --output.");
        }
        List<String> images = last.imageDifferences(identity);
        if (!images.isEmpty()) { // a typo in --input drops most of the output's rows: not for an INFO line
            LOG.warn("--update selects the images otherwise than the job that made {} ({}): the rows of any images it"
                    + " no longer selects are removed from the output, as images deleted from the input are", output,
                    String.join("; ", images));
        }
        return new Plan(next, false, last.selectionDifferences(identity));
    }

    /**
     * The generation an update is making in {@code layout}'s output, or 0 when none is under way. One that has a record
     * of its command ({@code current + 1}) is, whether or not its swap has begun: the swap removes {@code _SUCCESS}
     * first and names the generation in {@code CURRENT} last, so an output without {@code _SUCCESS} whose next
     * generation has a record is in that generation's swap. Without such a record, an output past generation 0
     * without {@code _SUCCESS} was stopped between naming {@code current} and writing {@code _SUCCESS}. (It took the
     * latter for the former: a second update killed in its swap was "continued" as the first, whose base was gone, and
     * no command could finish it.)
     */
    static int inProgress(ObjectStore store, OutputLayout layout) throws IOException {
        int current = GenerationSummary.current(store, layout);
        if (JobIdentity.read(store, layout, current + 1) != null) {
            return current + 1;
        }
        return current > 0 && !store.exists(layout.success()) ? current : 0;
    }

    /** An update to {@code generation} is under way: only the same command may finish it. */
    private static Plan continuing(JobIdentity recorded, JobIdentity identity, ObjectStore store, Location output,
                                   int generation, String running) throws IOException {
        if (recorded == null) {
            throw new IllegalArgumentException("--update refused: generation " + generation + " of " + output
                    + " has no record of the update that makes it: the output was changed by hand");
        }
        if (PcaKChange.allowed(recorded, identity, store, output, generation, running)) {
            return new Plan(generation, true, List.of(PcaKChange.change(recorded, identity)), true);
        }
        String heldNow = PcaKChange.refusalWhileHeld(recorded, identity, store, output, generation, running);
        if (heldNow != null) {
            throw new IllegalArgumentException("--update refused: " + heldNow);
        }
        List<String> differences = recorded.differences(identity);
        if (!differences.isEmpty()) {
            OutputLayout layout = new OutputLayout(output);
            // An update whose swap has not begun is nowhere in view: one begun by mistake (a mistyped --input that
            // failed at its listing) could not be given up but with --overwrite, which computes everything again (a
            // user's walk). Said how, where it is safe.
            String giveUp = running == null && !store.exists(layout.swapMarker(generation))
                    && GenerationSummary.current(store, layout) < generation
                    ? " Or, if that update was a mistake (a mistyped --input or --glob), give it up: nothing of it is in"
                            + " view yet, and deleting " + layout.generation(generation) + " (only that folder) leaves the"
                            + " output as its last update made it; then run the update you meant."
                    : "";
            throw new IllegalArgumentException("--update refused: an update of " + output + " to generation " + generation
                    + " is in progress with other options:\n  " + String.join("\n  ", differences)
                    + "\nRun it with the same options to finish it." + giveUp);
        }
        return new Plan(generation, true, List.of(),
                !dev.orchard.protocol.DecodeLimits.recordsObjectBound(recorded.decodeLimits()));
    }
}
