package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.Overlap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

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
    static void refuseClassifier(Location classifier, Location target) throws IOException {
        if (new Overlap(target).sameAs(classifier)) {
            throw new ClassifyException("--output " + target + " is the classifier being applied: give the predictions"
                    + " file another name (the default is predictions-<classifier>.parquet in the job's folder).");
        }
        if (target.name().equals(Classifier.PREDICTIONS)) {
            try (ObjectStore store = ObjectStores.forLocation(target)) {
                if (store.exists(target.parent().resolve(Classifier.CLASSIFIER_JSON))) {
                    throw new ClassifyException("--output " + target + " is a training's own predictions, beside its "
                            + Classifier.CLASSIFIER_JSON + ": give the predictions file another name (the default is"
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
    static void refuse(Location job, Location target, boolean folder) throws IOException {
        for (Location output : outputsAround(job, target)) {
            String whose = output.equals(job) ? "the job's" : "the Orchard output " + output + "'s";
            if (folder && new Overlap(target).sameAs(output)) {
                throw new ClassifyException("--output " + target + " is " + (output.equals(job) ? "the job's own folder"
                        : "the folder of the Orchard output " + output) + ", where the classifier's report.html would"
                        + " replace the job's: leave out --output (classify-<mode>/ inside the job's folder) or give a"
                        + " folder of its own.");
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

    /** {@code job}, and every folder on {@code target}'s way (its links resolved) that holds an Orchard marker. */
    private static Set<Location> outputsAround(Location job, Location target) throws IOException {
        Set<Location> outputs = new LinkedHashSet<>();
        outputs.add(job);
        Location at = target.isLocal() ? Location.local(resolved(target.path())) : target;
        try (ObjectStore store = ObjectStores.forLocation(at)) {
            for (Location folder = at; ; folder = folder.parent()) {
                if (store.exists(new OutputLayout(folder).marker())) {
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

    /** The path with the links of the part that exists resolved (the rest need not exist yet). */
    private static Path resolved(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    }
}
