package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.Overlap;
import java.io.IOException;

/**
 * Classify writes beside the job output it reads, never onto or into the job's own files: a training {@code --output}
 * of the job's folder replaced its report.html, one inside {@code features/} added files that readers of the folder
 * took for rows (or could not read), and an {@code --apply --output} naming a features part replaced the features.
 */
final class JobOwnFiles {
    private JobOwnFiles() {
    }

    /** Refuses a predictions file that would replace the classifier being applied (loaded first, then overwritten). */
    static void refuseClassifier(Location classifier, Location target) throws IOException {
        if (new Overlap(target).sameAs(classifier)) {
            throw new ClassifyException("--output " + target + " is the classifier being applied: give the predictions"
                    + " file another name (the default is predictions-<classifier>.parquet in the job's folder).");
        }
    }

    /**
     * Refuses {@code target} (a training folder, {@code folder} true, or a predictions file) where it is the job
     * output {@code job} itself (a folder) or one of the job's own files or folders, or lies inside one.
     */
    static void refuse(Location job, Location target, boolean folder) throws IOException {
        if (folder && new Overlap(target).sameAs(job)) {
            throw new ClassifyException("--output " + target + " is the job's own folder, where the classifier's"
                    + " report.html would replace the job's: leave out --output (classify-<mode>/ inside it) or give"
                    + " a folder of its own.");
        }
        for (String name : OutputLayout.KNOWN_OUTPUTS) {
            Location own = job.resolve(name);
            if (new Overlap(own).holds(target)) {
                throw new ClassifyException("--output " + target + (target.equals(own) ? " is" : " lies inside")
                        + " the job's own " + name + ", which orchard classify never writes into: give "
                        + (folder ? "a folder" : "a predictions file") + " beside the job's outputs (leave out --output"
                        + " for " + (folder ? "classify-<mode>/" : "predictions-<classifier>.parquet") + " in "
                        + job + ") or elsewhere.");
            }
        }
    }
}
