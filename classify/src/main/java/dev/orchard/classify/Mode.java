package dev.orchard.classify;

import java.util.Objects;

/** What to learn: one class against another, each class against the rest, or all classes at once. */
public sealed interface Mode {

    /** The folder-name form, as in the default output {@code <input>/classify-<name>}. */
    String name();

    /** 1-vs-1: a binary model between two named classes; images of other classes are left out. */
    record Pair(String first, String second) implements Mode {
        public Pair {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
            if (first.equals(second)) {
                throw new ClassifyException("--pair needs two different classes, got '" + first + "' twice");
            }
        }

        @Override
        public String name() {
            return "pair";
        }
    }

    /** 1-vs-all: one binary model per class (that class against all others); the highest linear score wins. */
    record OneVsAll() implements Mode {
        @Override
        public String name() {
            return "one-vs-all";
        }
    }

    /** One multiclass model over every class. */
    record Multiclass() implements Mode {
        @Override
        public String name() {
            return "multiclass";
        }
    }
}
