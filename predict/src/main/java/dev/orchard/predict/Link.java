package dev.orchard.predict;

/** How a linear classifier turns its per-class linear scores (logits or margins) into the scores it reports. */
public enum Link {
    /** Signed margins as they are (linear SVMs). */
    MARGIN,
    /** A probability per class, each from its own binary model: σ(s) (logistic pair or one-vs-all). */
    SIGMOID,
    /** Probabilities over all classes at once: softmax(s) (multinomial logistic regression). */
    SOFTMAX;

    /** What a score means, for the metadata and for people. */
    public String scoreMeaning() {
        return this == MARGIN ? "margin" : "probability";
    }
}
