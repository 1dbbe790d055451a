package dev.orchard.classify;

import dev.orchard.store.s3.S3Settings;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.Overlap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Classify writes beside a job's output, never onto or into a job's own files: a training {@code --output} of the
 * job's folder replaced its report.html, one inside {@code features/} added files that readers of the folder took
 * for rows (or could not read), and an {@code --apply --output} naming a features part replaced the features. That
 * holds for the job read ({@code --input}) and for any other Orchard output the target lies in (one with a marker,
 * {@code _orchard/job.json}), reached by its path or through a link.
 */
final class JobOwnFiles {
    private JobOwnFiles() {
    }

    /**
     * Refuses a predictions file that would replace the classifier being applied (loaded first, then overwritten), or
     * a training's own predictions.parquet beside its classifier.json (which then no longer described the file).
     */
    static void refuseClassifier(Location classifier, Location target, S3Settings s3) throws IOException {
        if (new Overlap(target).sameAs(classifier)) {
            throw new ClassifyException("--output " + target + " is the classifier being applied: give the predictions"
                    + " file another name (the default is predictions-<classifier>.parquet in the job's folder).");
        }
        if (target.name().equals(Classifier.PREDICTIONS)) {
            try (ObjectStore store = ObjectStores.forLocation(target, s3)) {
                if (TrainingFolder.holdsClassifier(store, target.parent())) {
                    throw new ClassifyException("--output " + target + " is a training's own predictions, beside its"
                            + " classifier: give the predictions file another name (the default is"
                            + " predictions-<classifier>.parquet in the job's folder).");
                }
            }
        }
    }

    /**
     * Refuses {@code target} (a training folder, {@code folder} true, or a predictions file) where it is the folder
     * of the job output {@code job} or of another Orchard output, or one of such an output's own files or folders,
     * or lies inside one.
     */
    static void refuse(Location job, Location target, boolean folder, S3Settings s3) throws IOException {
        for (Location output : outputsAround(job, target, s3)) {
            boolean isJob = output == job;
            String whose = isJob ? "the job's" : "the Orchard output " + output + "'s";
            if (folder && new Overlap(target).sameAs(output)) {
                throw new ClassifyException("--output " + target + " is " + (isJob ? "the job's own folder"
                        : "the folder of the Orchard output " + output) + ", where the classifier's report.html would"
                        + " replace the job's: leave out --output (classify-<mode>/ inside the job's folder) or give a"
                        + " folder of its own.");
            }
            // classify-<mode>/ and predictions-*.parquet are an output's own too: another output's belong to it (its
            // --overwrite deletes them: a user's walk trained on one output into another's classify-pair/, then lost
            // it so), and in the job's own only a training's files go (anything else there made --overwrite refuse
            // the job's output, the diff's review). The job's own top-level ones are where classify writes.
            String relative = below(output, target);
            if (relative != null) {
                String first = firstSegment(relative);
                if (OutputLayout.isClassifyOutput(first) && !(isJob && first.equals(relative))) {
                    throw new ClassifyException("--output " + target + (first.equals(relative) ? " is " : " lies inside ")
                            + whose + " own " + first + (isJob ? ", where only a training's own files go"
                            : ", which belongs to that output (made from its rows; its --overwrite deletes it)")
                            + ": give " + (folder ? "a folder" : "a predictions file") + " beside the job's outputs"
                            + " (leave out --output for " + (folder ? "classify-<mode>/" : "predictions-<classifier>.parquet")
                            + " in " + job + ") or elsewhere.");
                }
            }
            for (String name : OutputLayout.KNOWN_OUTPUTS) {
                Overlap own = new Overlap(output.resolve(name));
                String how = folder ? own.with(target).filter(h -> !h.equals("contains")).orElse(null)
                        : own.holds(target) ? "lies inside" : null;
                if (how != null) {
                    throw new ClassifyException("--output " + target + (how.equals("lies inside") ? " lies inside "
                            : " is ") + whose + " own " + name + ", which orchard classify never writes into: give "
                            + (folder ? "a folder" : "a predictions file") + " beside the job's outputs (leave out"
                            + " --output for " + (folder ? "classify-<mode>/" : "predictions-<classifier>.parquet")
                            + " in " + job + ") or elsewhere.");
                }
            }
        }
    }

    /**
     * {@code job} first, then every other folder on {@code target}'s way (its links resolved) that holds an Orchard
     * marker. A prefix whose marker cannot be looked at (an S3 prefix the user may not read) is taken for none.
     */
    private static List<Location> outputsAround(Location job, Location target, S3Settings s3) throws IOException {
        List<Location> outputs = new ArrayList<>();
        outputs.add(job);
        Overlap isJob = new Overlap(job);
        Location at = resolved(target);
        try (ObjectStore store = ObjectStores.forLocation(at, s3)) {
            for (Location folder = at; ; folder = folder.parent()) {
                boolean marked;
                try {
                    marked = store.exists(new OutputLayout(folder).marker());
                } catch (IOException | RuntimeException e) {
                    marked = false;
                }
                if (marked && !isJob.sameAs(folder)) {
                    outputs.add(folder);
                }
                Location up = folder.parent();
                if (up.equals(folder)) {
                    break;
                }
            }
        }
        return outputs;
    }

    /** {@code target} with its links resolved, as far as it exists (locally; an S3 location as it is). */
    private static Location resolved(Location target) throws IOException {
        return target.isLocal() ? Location.local(Overlap.resolveExisting(target.path().toAbsolutePath().normalize()))
                : target;
    }

    /** {@code target}'s path below {@code output}, their links resolved and without a trailing slash; null if not below. */
    private static String below(Location output, Location target) throws IOException {
        if (!new Overlap(output).holds(target)) {
            return null;
        }
        try {
            String relative = resolved(output).relativize(resolved(target));
            return relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
        } catch (IllegalArgumentException e) {
            return null; // below it only through a link this resolution does not follow: the checks below still run
        }
    }

    private static String firstSegment(String relative) {
        int slash = relative.indexOf('/');
        return slash < 0 ? relative : relative.substring(0, slash);
    }
}
