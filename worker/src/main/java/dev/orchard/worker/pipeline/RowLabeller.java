package dev.orchard.worker.pipeline;

import ai.onnxruntime.OrtException;
import dev.orchard.predict.ClassifierException;
import dev.orchard.predict.FeatureSource;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.Predictions;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.protocol.JobDescription;
import dev.orchard.store.parquet.VectorRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Labels a job's feature rows with its {@code --classifier}: the rows' own floats (those written to Parquet, so the
 * predictions are those {@code orchard classify --apply} makes from the output) through ONNX Runtime in batches.
 * The job checked the classifier before any work started; the worker checks again with what it holds (a job
 * description from another coordinator, a file replaced since), and every row's dimension.
 */
final class RowLabeller {
    /** Rows per ONNX run: as {@code classify --apply}, which bounds the batch's memory for any dimension. */
    static final int BATCH = 4096;

    private final OnnxClassifier classifier;
    private final int dimension;

    /** @throws IOException when the classifier does not read this job's features */
    RowLabeller(OnnxClassifier classifier, JobDescription job) throws IOException {
        this.classifier = classifier;
        this.dimension = classifier.input().dimension();
        VectorProvenance features = new VectorProvenance(VectorKind.FEATURES, 0,
                new FeatureSource(job.modelSha256(), job.spec().featureTensor(), job.srpDim(), job.srpSeed(),
                        job.spec().preprocessing()), null);
        try {
            classifier.input().requireReadable(features, classifier.source(), job.output());
        } catch (ClassifierException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The same rows, in the same order, each with its predicted class and score. */
    List<VectorRow> label(List<VectorRow> rows) throws IOException {
        List<VectorRow> labelled = new ArrayList<>(rows.size());
        for (int from = 0; from < rows.size(); from += BATCH) {
            int n = Math.min(BATCH, rows.size() - from);
            float[] batch = new float[n * dimension];
            for (int i = 0; i < n; i++) {
                float[] values = rows.get(from + i).values();
                if (values.length != dimension) {
                    throw new IOException("Classifier " + classifier.source() + " reads " + dimension + "-d features but "
                            + rows.get(from + i).path() + " has " + values.length + ": it was trained on another job's features");
                }
                System.arraycopy(values, 0, batch, i * dimension, dimension);
            }
            Predictions p;
            try {
                p = classifier.predict(batch, n);
            } catch (OrtException e) {
                throw new IOException("ONNX Runtime failed on classifier " + classifier.source() + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < n; i++) {
                labelled.add(rows.get(from + i).withPrediction(p.labels()[i], p.scores()[i]));
            }
        }
        return labelled;
    }
}
