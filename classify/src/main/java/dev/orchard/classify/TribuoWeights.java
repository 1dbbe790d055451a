package dev.orchard.classify;

import dev.orchard.predict.Link;
import java.util.List;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.liblinear.LibLinearClassificationModel;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;

/**
 * Reads a trained Tribuo model back as one linear score per class, s_c = w_c · z + b_c, with the link that turns
 * scores into what Tribuo's {@code predict} reports: what {@code classifier.onnx} stores.
 *
 * <ul>
 *   <li>LIBLINEAR: {@code getDecfunCoef}/{@code getDecfunBias} give each label's decision value, including the
 *       negated weights of a binary model's second label. {@code predictProbability} of a binary logistic model
 *       is σ(s) for the first label and 1 − σ(s) = σ(−s) for the second, so per-label σ is exact; a margin model
 *       reports the decision values as they are. (LIBLINEAR's multiclass logistic regression normalises one-vs-rest
 *       probabilities instead; Orchard does not train it, and it is refused here.)</li>
 *   <li>Tribuo's SGD linear model: a [label][feature + bias] weight matrix, softmax for the multinomial
 *       objective Orchard trains.</li>
 * </ul>
 * Feature ids come from the model's own feature map by name, so the order Tribuo assigned does not matter; a
 * coordinate the model never saw has weight 0, as Tribuo's {@code predict} ignores it.
 */
final class TribuoWeights {

    private TribuoWeights() {
    }

    /** The linear form of {@code model} for the labels {@code labels}, in that order. */
    static TrainedClassifier.LinearForm of(Model<Label> model, TribuoExamples examples, List<String> labels) {
        if (model instanceof LibLinearClassificationModel liblinear) {
            return ofLibLinear(liblinear, examples, labels);
        }
        if (model instanceof LinearSGDModel sgd) {
            return ofSgd(sgd, examples, labels);
        }
        throw new IllegalStateException("No linear form for " + model.getClass().getName());
    }

    private static TrainedClassifier.LinearForm ofLibLinear(LibLinearClassificationModel model, TribuoExamples examples,
                                                          List<String> labels) {
        de.bwaldvogel.liblinear.Model inner = model.getInnerModels().get(0);
        if (inner.isProbabilityModel() && inner.getNrClass() > 2) {
            throw new IllegalStateException("LIBLINEAR multiclass logistic regression has no linear softmax form");
        }
        ImmutableFeatureMap features = model.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputs = model.getOutputIDInfo();
        int[] innerLabels = inner.getLabels();
        double[][] weights = new double[labels.size()][examples.dimension()];
        double[] bias = new double[labels.size()];
        for (int k = 0; k < labels.size(); k++) {
            int index = -1;
            for (int i = 0; i < innerLabels.length; i++) {
                if (outputs.getOutput(innerLabels[i]).getLabel().equals(labels.get(k))) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IllegalStateException("The model has no label '" + labels.get(k) + "'");
            }
            for (int j = 0; j < examples.dimension(); j++) {
                int id = features.getID(examples.name(j));
                weights[k][j] = id < 0 ? 0 : inner.getDecfunCoef(id + 1, index); // LIBLINEAR counts features from 1
            }
            bias[k] = inner.getDecfunBias(index);
        }
        return new TrainedClassifier.LinearForm(weights, bias, inner.isProbabilityModel() ? Link.SIGMOID : Link.MARGIN);
    }

    private static TrainedClassifier.LinearForm ofSgd(LinearSGDModel model, TribuoExamples examples, List<String> labels) {
        ImmutableFeatureMap features = model.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputs = model.getOutputIDInfo();
        DenseMatrix w = model.getWeightsCopy(); // [label id][feature id], then the bias column
        double[][] weights = new double[labels.size()][examples.dimension()];
        double[] bias = new double[labels.size()];
        for (int k = 0; k < labels.size(); k++) {
            int label = outputs.getID(new Label(labels.get(k)));
            if (label < 0) {
                throw new IllegalStateException("The model has no label '" + labels.get(k) + "'");
            }
            for (int j = 0; j < examples.dimension(); j++) {
                int id = features.getID(examples.name(j));
                weights[k][j] = id < 0 ? 0 : w.get(label, id);
            }
            bias[k] = w.get(label, features.size());
        }
        return new TrainedClassifier.LinearForm(weights, bias, Link.SOFTMAX);
    }
}
