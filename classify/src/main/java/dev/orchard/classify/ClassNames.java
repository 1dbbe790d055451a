package dev.orchard.classify;

import java.text.Normalizer;
import java.util.Collection;

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
