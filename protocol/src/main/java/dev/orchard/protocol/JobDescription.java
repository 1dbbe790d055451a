package dev.orchard.protocol;

/**
 * What every worker needs to know about the job, sent with each unit (it is small): where outputs go, which
 * model (location and SHA-256, so every worker provably runs the same bytes), how to batch, the optional sparse
 * random projection of the features (each worker generates the same matrix from its seed: nothing is shipped),
 * in the PUBLISH phase the solved PCA model (location and SHA-256: a worker's cached model is keyed by both, so a
 * re-run to the same output never projects with a stale one), and how the Parquet vectors are encoded.
 *
 * @param srpDim  0 for no projection, else the projected dimension K
 * @param srpSeed the projection's seed
 * @param parquetByteStreamSplit write the vector columns with BYTE_STREAM_SPLIT ({@code --parquet-byte-stream-split};
 *                               see store's ParquetOptions); false writes PLAIN floats, which every reader opens
 */
public record JobDescription(String jobId, String output, String model, String modelSha256, ModelSpec spec,
                             int batchSize, int srpDim, long srpSeed, String pcaModel, String pcaModelSha256,
                             boolean parquetByteStreamSplit) {

    public JobDescription(String jobId, String output, String model, String modelSha256, ModelSpec spec,
                          int batchSize) {
        this(jobId, output, model, modelSha256, spec, batchSize, 0, 0, null, null, false);
    }

    public JobDescription withPcaModel(String location, String sha256) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, location, sha256,
                parquetByteStreamSplit);
    }

    public JobDescription withProjection(int dim, long seed) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, dim, seed, pcaModel,
                pcaModelSha256, parquetByteStreamSplit);
    }

    public JobDescription withParquetByteStreamSplit(boolean byteStreamSplit) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, srpDim, srpSeed, pcaModel,
                pcaModelSha256, byteStreamSplit);
    }
}
