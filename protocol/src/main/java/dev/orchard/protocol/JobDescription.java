package dev.orchard.protocol;

/**
 * What every worker needs to know about the job, sent with each unit (it is small): where outputs go, which
 * model (location and SHA-256, so every worker provably runs the same bytes), how to batch, and, in the
 * PROJECT phase, where the solved PCA model is.
 */
public record JobDescription(String jobId, String output, String model, String modelSha256, ModelSpec spec,
                             int batchSize, String pcaModel) {

    public JobDescription withPcaModel(String location) {
        return new JobDescription(jobId, output, model, modelSha256, spec, batchSize, location);
    }
}
