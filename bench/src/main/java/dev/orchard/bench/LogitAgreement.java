package dev.orchard.bench;

/**
 * How close a second model's logits are to a reference's, image by image: cosine similarity, how often the top-1
 * class is the same (overall, and where the reference is confident, softmax top-1 ≥ 0.5), and how often the
 * second model's top-1 is among the reference's top 5. Out-of-domain images (Fruits-360 close-ups are not
 * ImageNet photos) often have no clear ImageNet class, and there a small logit change flips the top-1: the
 * confident subset separates that from real disagreement.
 */
public record LogitAgreement(CosineStats cosine, int images, int top1Same, int top1InTop5, int confident,
                             int confidentSame) {

    public static LogitAgreement of(float[][] reference, float[][] other) {
        CosineStats cosine = CosineStats.of(reference, other);
        int same = 0;
        int inTop5 = 0;
        int confident = 0;
        int confidentSame = 0;
        for (int i = 0; i < reference.length; i++) {
            int top = argmax(other[i]);
            boolean agree = top == argmax(reference[i]);
            same += agree ? 1 : 0;
            inTop5 += rank(reference[i], top) < 5 ? 1 : 0;
            if (topProbability(reference[i]) >= 0.5) {
                confident++;
                confidentSame += agree ? 1 : 0;
            }
        }
        return new LogitAgreement(cosine, reference.length, same, inTop5, confident, confidentSame);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Softmax probability of the top-1 class. */
    static double topProbability(float[] logits) {
        double max = logits[argmax(logits)];
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return 1 / sum;
    }

    /** How many entries of {@code v} are larger than {@code v[index]}: 0 for the top-1. */
    static int rank(float[] v, int index) {
        int larger = 0;
        for (float x : v) {
            if (x > v[index]) {
                larger++;
            }
        }
        return larger;
    }
}
