package dev.orchard.classify;

/** The family of linear model. */
public enum Learner {
    /** Logistic regression: scores are probabilities. */
    LOGISTIC("logistic regression"),
    /** Linear support vector machine (squared hinge): scores are signed margins. */
    SVM("linear SVM");

    private final String description;

    Learner(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
