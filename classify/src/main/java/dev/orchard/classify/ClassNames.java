package dev.orchard.classify;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a class name is shown to the user: its control characters escaped (a label with a newline broke the report's
 * tables), quoted in messages (folders {@code "Kiwi "} and {@code " Kiwi"} were two classes that looked the same),
 * and, for a name that is not a label, the label it differs from only in case, in spaces at its ends, or in how its
 * letters are composed (Unicode NFC against NFD: {@code Äpfel} typed against a macOS folder name).
 */
final class ClassNames {
    private ClassNames() {
    }

    /** The name escaped and in single quotes, for messages. */
    static String quoted(String name) {
        return "'" + dev.orchard.store.Printable.escaped(name) + "'";
    }

    /** " (did you mean 'X'? …)" for a label {@code name} differs from in case, end spaces or composition; else "". */
    static String nearest(String name, Collection<String> labels) {
        for (String label : labels) {
            String why = difference(name, label);
            if (why != null) {
                return " (did you mean " + quoted(label) + "? " + why + ")";
            }
        }
        return "";
    }

    /**
     * A line for each set of classes that look alike (the same letters composed differently, or spaces at the ends
     * apart): two folders "Äpfel", one NFC and one NFD, were two classes, "pair 'Äpfel' vs 'Äpfel'" and two rows of
     * the report that read the same (a user's walk). Classes that differ in case are visibly different: not said.
     */
    static List<String> lookAlikes(Collection<String> classes) {
        Map<String, List<String>> byLooks = new LinkedHashMap<>();
        for (String c : classes) {
            byLooks.computeIfAbsent(Normalizer.normalize(c, Normalizer.Form.NFC).strip(), k -> new ArrayList<>()).add(c);
        }
        List<String> lines = new ArrayList<>();
        for (List<String> same : byLooks.values()) {
            if (same.size() > 1) {
                lines.add("classes " + same.stream().map(ClassNames::quoted).collect(Collectors.joining(" and "))
                        + " are " + same.size() + " classes that look alike: " + difference(same.get(0), same.get(1)));
            }
        }
        return lines;
    }

    private static String difference(String name, String label) {
        String a = Normalizer.normalize(name, Normalizer.Form.NFC);
        String b = Normalizer.normalize(label, Normalizer.Form.NFC);
        if (a.equals(b)) {
            return "the same letters, composed differently (Unicode NFC and NFD)";
        }
        if (a.strip().equals(b.strip())) {
            return "they differ in spaces at the ends";
        }
        if (a.strip().equalsIgnoreCase(b.strip())) {
            return "they differ in case";
        }
        return null;
    }
}
