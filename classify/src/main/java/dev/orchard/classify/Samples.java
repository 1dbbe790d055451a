package dev.orchard.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The labelled images of a job's output, sorted by path so nothing downstream depends on how the job cut its
 * parts.
 *
 * @param unlabelled rows skipped because they had no label
 */
record Samples(String[] paths, String[] labels, float[][] vectors, int dimension, int unlabelled) {

    int size() {
        return paths.length;
    }

    /** Only the rows whose label is in {@code classes}, in the same order. */
    Samples restrictTo(Set<String> classes) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (classes.contains(labels[i])) {
                keep.add(i);
            }
        }
        String[] p = new String[keep.size()];
        String[] l = new String[keep.size()];
        float[][] v = new float[keep.size()][];
        for (int k = 0; k < p.length; k++) {
            int i = keep.get(k);
            p[k] = paths[i];
            l[k] = labels[i];
            v[k] = vectors[i];
        }
        return new Samples(p, l, v, dimension, unlabelled);
    }
}
