package dev.orchard.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Dense vectors as Tribuo examples. Tribuo names features; zero-padded names ({@code f0000}…) sort in coordinate
 * order, so each example is built already sorted and every model sees the same feature ids.
 */
final class TribuoExamples {
    private static final LabelFactory LABELS = new LabelFactory();

    private final String[] names;

    TribuoExamples(int dimension) {
        String format = "f%0" + String.valueOf(dimension - 1).length() + "d";
        names = new String[dimension];
        for (int i = 0; i < dimension; i++) {
            names[i] = String.format(format, i);
        }
    }

    int dimension() {
        return names.length;
    }

    /** Tribuo's name for coordinate {@code i}. */
    String name(int i) {
        return names[i];
    }

    /** The training rows, each with the label {@code labelOf} gives it. */
    MutableDataset<Label> trainingSet(double[][] z, boolean[] train, IntFunction<String> labelOf) {
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("orchard classify", LABELS), LABELS);
        for (int r = 0; r < z.length; r++) {
            if (train[r]) {
                dataset.add(new ArrayExample<>(new Label(labelOf.apply(r)), names, z[r]));
            }
        }
        return dataset;
    }

    /** Every row, unlabelled, for prediction. */
    List<Example<Label>> unlabelled(double[][] z) {
        List<Example<Label>> examples = new ArrayList<>(z.length);
        for (double[] row : z) {
            examples.add(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names, row));
        }
        return examples;
    }
}
