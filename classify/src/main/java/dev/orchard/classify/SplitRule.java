package dev.orchard.classify;

/** How many images of each class go to training; the rest of the class is the test set. */
public sealed interface SplitRule {

    /** Exactly {@code count} training images per class. */
    record PerClass(int count) implements SplitRule {
        public PerClass {
            if (count < 1) {
                throw new ClassifyException("--train-per-class must be at least 1, got " + count);
            }
        }

        @Override
        public String toString() {
            return count + " per class";
        }
    }

    /** round(fraction × class size) training images per class, at least one and leaving at least one to test. */
    record Fraction(double fraction) implements SplitRule {
        public Fraction {
            if (!(fraction > 0 && fraction < 1)) {
                throw new ClassifyException("--train-fraction must lie strictly between 0 and 1, got " + fraction);
            }
        }

        @Override
        public String toString() {
            return fraction + " of each class";
        }
    }
}
