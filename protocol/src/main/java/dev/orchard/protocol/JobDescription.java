package dev.orchard.protocol;

/**
 * What every worker needs to know about the job, sent with each unit (it is small): where outputs go, which
 * model (location and SHA-256, so every worker provably runs the same bytes), how to batch, the optional sparse
 * random projection of the features (each worker generates the same matrix from its seed: nothing is shipped),
 * whether a PCA follows the features phase and, in the PUBLISH phase, the solved PCA model (location and SHA-256: a
 * worker's cached model is keyed by both, so a re-run to the same output never projects with a stale one), how the
 * Parquet vectors are encoded, the optional classifier that labels every published row (location and SHA-256,
 * checked like the model's), which generation of the output the job makes (0 for a first run; an update makes
 * the next one and reads the parts of the one before), and what the job takes as a readable image.
 *
 * @param srpDim  0 for no projection, else the projected dimension K
 * @param srpSeed the projection's seed
 * @param pca     whether a PCA is solved after the features phase, every row projected on it in the PUBLISH phase
 * @param pcaModel in the PUBLISH phase of a job with a PCA, the solved model's location (null before)
 * @param parquetByteStreamSplit write the vector columns with BYTE_STREAM_SPLIT ({@code --parquet-byte-stream-split};
 *                               see store's ParquetOptions); false writes PLAIN floats, which every reader opens
 * @param classifier       {@code --classifier}: a {@code classifier.onnx} trained on this job's kind of features, or
 *                         null; the PUBLISH stage adds its {@code predicted} and {@code score} to every row
 * @param classifierSha256 that file's SHA-256 (null without a classifier)
 * @param generation       the generation this job makes
 * @param decode           the job's decode limits, which every worker decodes by (not its own options)
 */
public record JobDescription(String jobId, String output, String model, String modelSha256, ModelSpec spec,
                             int batchSize, int srpDim, long srpSeed, boolean pca, String pcaModel,
                             String pcaModelSha256, boolean parquetByteStreamSplit, String classifier,
                             String classifierSha256, int generation, DecodeLimits decode) {

    public JobDescription {
        java.util.Objects.requireNonNull(decode, "decode");
        if ((classifier == null) != (classifierSha256 == null)) {
            throw new IllegalArgumentException("a classifier needs its SHA-256, and only a classifier has one");
        }
        if (pcaModel != null && !pca) {
            throw new IllegalArgumentException("a PCA model for a job without a PCA");
        }
        if (generation < 0) {
            throw new IllegalArgumentException("generation must not be negative, was " + generation);
        }
    }

    public JobDescription(String jobId, String output, String model, String modelSha256, ModelSpec spec,
                          int batchSize) {
        this(jobId, output, model, modelSha256, spec, batchSize, 0, 0, false, null, null, false, null, null, 0);
    }

    /** A description that decodes by the default limits. */
    public JobDescription(String jobId, String output, String model, String modelSha256, ModelSpec spec,
                          int batchSize, int srpDim, long srpSeed, boolean pca, String pcaModel,
                          String pcaModelSha256, boolean parquetByteStreamSplit, String classifier,
                          String classifierSha256, int generation) {
        this(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, pca, pcaModel, pcaModelSha256,
                parquetByteStreamSplit, classifier, classifierSha256, generation, DecodeLimits.DEFAULT);
    }

    /** Decoding by {@code limits}: every worker of the job takes the same images as readable. */
    public JobDescription withDecode(DecodeLimits limits) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, pca, pcaModel,
                pcaModelSha256, parquetByteStreamSplit, classifier, classifierSha256, generation, limits);
    }

    /** The PUBLISH phase's description: the job's PCA, solved (a model means the job has a PCA). */
    public JobDescription withPcaModel(String location, String sha256) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, true, location,
                sha256, parquetByteStreamSplit, classifier, classifierSha256, generation, decode);
    }

    /** With a PCA to follow the features phase, or none. */
    public JobDescription withPca(boolean withPca) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, withPca,
                pcaModel, pcaModelSha256, parquetByteStreamSplit, classifier, classifierSha256, generation, decode);
    }

    public JobDescription withProjection(int dim, long seed) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, dim, seed, pca, pcaModel,
                pcaModelSha256, parquetByteStreamSplit, classifier, classifierSha256, generation, decode);
    }

    public JobDescription withParquetByteStreamSplit(boolean byteStreamSplit) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, pca, pcaModel,
                pcaModelSha256, byteStreamSplit, classifier, classifierSha256, generation, decode);
    }

    public JobDescription withClassifier(String location, String sha256) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, pca, pcaModel,
                pcaModelSha256, parquetByteStreamSplit, location, sha256, generation, decode);
    }

    public JobDescription withGeneration(int newGeneration) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, pca, pcaModel,
                pcaModelSha256, parquetByteStreamSplit, classifier, classifierSha256, newGeneration, decode);
    }
}
