package dev.orchard.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Which classes a mode learns, checked against the labels that exist. */
final class ClassSelection {

    private static final int LISTED = 60;

    private ClassSelection() {
    }

    /** The classes in name order: the pair's two, or every label; at least two. */
    static List<String> select(String[] labels, Mode mode, String where) {
        SortedMap<String, Integer> counts = counts(labels);
        if (mode instanceof Mode.Pair pair) {
            List<String> missing = new ArrayList<>();
            for (String name : List.of(pair.first(), pair.second())) {
                if (!counts.containsKey(name)) {
                    missing.add(ClassNames.quoted(name) + ClassNames.nearest(name, counts.keySet()));
                }
            }
            if (!missing.isEmpty()) {
                throw new ClassifyException("No class " + String.join(" or ", missing) + " in " + where
                        + ". The labels are (images): " + describe(counts));
            }
            return Stream.of(pair.first(), pair.second()).sorted().toList();
        }
        if (counts.size() < 2) {
            throw new ClassifyException("Only one class in " + where + ": " + describe(counts)
                    + ". A classifier needs at least two; check the job's labels (--label-regex).");
        }
        return new ArrayList<>(counts.keySet());
    }

    static SortedMap<String, Integer> counts(String[] labels) {
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (String label : labels) {
            counts.merge(label, 1, Integer::sum);
        }
        return counts;
    }

    /** "'Apple' (40), 'Banana' (38)", cut after a few dozen classes. */
    static String describe(SortedMap<String, Integer> counts) {
        StringBuilder s = new StringBuilder();
        int shown = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (shown == LISTED) {
                s.append(", … and ").append(counts.size() - LISTED).append(" more");
                break;
            }
            s.append(shown++ == 0 ? "" : ", ").append(ClassNames.quoted(e.getKey())).append(" (").append(e.getValue()).append(')');
        }
        return s.toString();
    }
}
