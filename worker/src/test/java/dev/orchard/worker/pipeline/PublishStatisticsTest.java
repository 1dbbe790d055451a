package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.model.InferenceSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics a PUBLISH attempt stores for its part: exactly its rows, folded source by source in source order (a
 * whole base part's stored statistics merged where it stands), so the file is the same bytes whatever the timing of
 * the reads and folds, and its sums match one straight fold of the rows. Sources of several sizes, an empty one, and
 * a whole base part; rows generated (seed printed).
 */
class PublishStatisticsTest {
    private static final long SEED = 20261201L;
    private static final int D = 16;
    private static final String MODEL_SHA = "a".repeat(64);
    private static final int[] UNIT_ROWS = {9, 4, 0, 13, 7, 1, 11, 6};

    @TempDir
    Path dir;
    private final LocalObjectStore store = new LocalObjectStore();
    private final Random random = new Random(SEED);

    @Test
    void aPartsStatisticsAreItsRowsFoldedInSourceOrderTheSameBytesEveryRun() throws Exception {
        System.out.println("PublishStatisticsTest seed " + SEED);
        Path output = dir.resolve("out");
        OutputLayout layout = OutputLayout.of(output.toString());
        // Generation 1 updates generation 0, whose part 0 stays whole: a BASE source among the new units' rows.
        // Far from the units' rows: merging the stored statistics the other way round (the base into the running
        // partial's place) rounds the mean differently, which the byte comparison below must see.
        List<VectorRow> baseRows = rows("base", 10, 1000.5);
        write(layout.part(OutputLayout.FEATURES, 0), baseRows);
        CovariancePartial baseStatistics = RowStatistics.add(null, baseRows);
        store.put(layout.partStatistics(0, 0), baseStatistics.encode());
        List<List<VectorRow>> units = new ArrayList<>();
        List<PartSource> sources = new ArrayList<>();
        for (int u = 0; u < UNIT_ROWS.length; u++) {
            List<VectorRow> rows = rows("unit" + u, UNIT_ROWS[u], 0);
            write(layout.attemptRows(1, u, 1), rows);
            units.add(rows);
            sources.add(PartSource.rows(new AttemptRef(1, u, 1)));
            if (u == 4) {
                sources.add(PartSource.base(0));
                units.add(null); // its stored statistics, not its rows, are merged
            }
        }
        byte[] pcaJson = PcaModelJson.write(pcaModel());
        Path pcaFile = Files.write(dir.resolve("pca-model.json"), pcaJson);
        JobDescription job = new JobDescription("job", output.toString(), "/models/cnn.onnx", MODEL_SHA,
                ModelSpec.mobileNetV2(), 32).withPcaModel(pcaFile.toString(), PublishUnit.sha256(pcaJson))
                .withGeneration(1);

        CovariancePartial expected = null;
        List<VectorRow> all = new ArrayList<>();
        for (List<VectorRow> source : units) {
            if (source == null) {
                CovariancePartial stored = CovariancePartial.decode(baseStatistics.encode());
                if (expected == null) {
                    expected = stored;
                } else {
                    expected.merge(stored);
                }
                all.addAll(baseRows);
            } else {
                expected = RowStatistics.add(expected, source);
                all.addAll(source);
            }
        }

        byte[] first;
        byte[] second;
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2),
                S3Settings.defaults())) {
            first = publish(runtime, job, layout, sources, 1);
            second = publish(runtime, job, layout, sources, 2);
        }
        assertThat(Arrays.equals(first, second)).as("the same part published twice: the same bytes").isTrue();
        assertThat(Arrays.equals(first, expected.encode())).as("the sources folded in their order").isTrue();

        CovariancePartial stored = CovariancePartial.decode(first);
        CovariancePartial straight = RowStatistics.add(null, all);
        assertThat(stored.count()).isEqualTo(all.size());
        // Equal to 1e-12 of the largest value: the same sums in another order.
        assertThat(stored.mean()).containsExactly(straight.mean(), within(1e-12 * maxAbs(straight.mean())));
        double[][] covariance = stored.covariance();
        double[][] straightCovariance = straight.covariance();
        double scale = Arrays.stream(straightCovariance).mapToDouble(PublishStatisticsTest::maxAbs).max().orElse(0);
        for (int i = 0; i < D; i++) {
            assertThat(covariance[i]).as("covariance row %d", i)
                    .containsExactly(straightCovariance[i], within(1e-12 * scale));
        }
        List<VectorRow> published = VectorRowsReader.readAll(store, layout.publishAttempt(OutputLayout.FEATURES, 1, 0, 2),
                OutputLayout.FEATURES);
        assertThat(published).extracting(VectorRow::path).containsExactlyElementsOf(all.stream().map(VectorRow::path).toList());
    }

    /**
     * A part whose sources' rows this worker still holds ({@link RowsCache}) is the same bytes as one published from
     * the rows files: its features, its projection and its statistics. Rows held that do not match their file's
     * count fail the attempt.
     */
    @Test
    void aPartFromRowsThisWorkerHoldsIsTheSameBytesAsFromTheFiles() throws Exception {
        System.out.println("PublishStatisticsTest seed " + SEED);
        Path output = dir.resolve("out");
        OutputLayout layout = OutputLayout.of(output.toString());
        List<PartSource> sources = new ArrayList<>();
        List<List<VectorRow>> units = new ArrayList<>();
        for (int u = 0; u < UNIT_ROWS.length; u++) {
            List<VectorRow> rows = rows("unit" + u, UNIT_ROWS[u], 0);
            write(layout.attemptRows(1, u, 1), rows);
            units.add(rows);
            sources.add(PartSource.rows(new AttemptRef(1, u, 1)));
        }
        byte[] pcaJson = PcaModelJson.write(pcaModel());
        Path pcaFile = Files.write(dir.resolve("pca-model.json"), pcaJson);
        JobDescription job = new JobDescription("job", output.toString(), "/models/cnn.onnx", MODEL_SHA,
                ModelSpec.mobileNetV2(), 32).withPcaModel(pcaFile.toString(), PublishUnit.sha256(pcaJson));
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2),
                S3Settings.defaults())) {
            publish(runtime, job, layout, sources, 1);
            for (int u = 0; u < units.size(); u++) {
                runtime.rowsCache().put(layout.attemptRows(1, u, 1), units.get(u));
            }
            assertThat(runtime.rowsCache().floats()).isEqualTo((long) D * Arrays.stream(UNIT_ROWS).sum());
            publish(runtime, job, layout, sources, 2);
            assertThat(runtime.rowsCache().floats()).as("every source's rows taken from the cache").isZero();
            for (Location[] files : List.of(
                    new Location[] {layout.publishStatistics(1, 0, 1), layout.publishStatistics(1, 0, 2)},
                    new Location[] {layout.publishAttempt(OutputLayout.FEATURES, 1, 0, 1),
                            layout.publishAttempt(OutputLayout.FEATURES, 1, 0, 2)},
                    new Location[] {layout.publishAttempt(OutputLayout.PCA, 1, 0, 1),
                            layout.publishAttempt(OutputLayout.PCA, 1, 0, 2)})) {
                assertThat(store.read(files[1])).as("%s against %s", files[1], files[0]).isEqualTo(store.read(files[0]));
            }

            runtime.rowsCache().put(layout.attemptRows(1, 3, 1), units.get(3).subList(0, 5));
            assertThatThrownBy(() -> publish(runtime, job, layout, sources, 3))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("holds 13 rows, but 5 were written to it");
        }
    }

    /**
     * A base part's statistics that count other rows than the part holds are a damaged file, named with what to do: the
     * worker says so, and the coordinator ends the job at once (three attempts failed on it, the job saying --resume
     * went on: a walk).
     */
    @Test
    void aBasePartsStatisticsThatCountOtherRowsAreADamagedFile() throws Exception {
        Path output = dir.resolve("out");
        OutputLayout layout = OutputLayout.of(output.toString());
        List<VectorRow> baseRows = rows("base", 10, 0);
        write(layout.part(OutputLayout.FEATURES, 0), baseRows);
        store.put(layout.partStatistics(0, 0), RowStatistics.add(null, baseRows.subList(0, 9)).encode());
        List<VectorRow> unitRows = rows("unit", 3, 0);
        write(layout.attemptRows(1, 0, 1), unitRows);
        byte[] pcaJson = PcaModelJson.write(pcaModel());
        Path pcaFile = Files.write(dir.resolve("pca-model.json"), pcaJson);
        JobDescription job = new JobDescription("job", output.toString(), "/models/cnn.onnx", MODEL_SHA,
                ModelSpec.mobileNetV2(), 32).withPcaModel(pcaFile.toString(), PublishUnit.sha256(pcaJson))
                .withGeneration(1);
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2),
                S3Settings.defaults())) {
            assertThatThrownBy(() -> publish(runtime, job, layout, List.of(PartSource.rows(new AttemptRef(1, 0, 1)),
                    PartSource.base(0)), 1))
                    .satisfies(e -> assertThat(dev.orchard.store.DamagedFileException.in(e)).as("%s", e).isNotNull()
                            .hasMessage(layout.part(OutputLayout.FEATURES, 0) + " (base part 0) holds 10 rows, but "
                                    + layout.partStatistics(0, 0) + " counts 9: one of the two was damaged since they"
                                    + " were written; restore them from a copy, or make the output again from the input"
                                    + " with --overwrite"));
        }
    }

    private byte[] publish(WorkerRuntime runtime, JobDescription job, OutputLayout layout, List<PartSource> sources,
                           int attempt) throws Exception {
        new PublishUnit(runtime).run(job, WorkUnit.publish(1, 0, attempt, sources), () -> false);
        return store.read(layout.publishStatistics(1, 0, attempt));
    }

    private List<VectorRow> rows(String name, int count, double offset) {
        List<VectorRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[D];
            for (int j = 0; j < D; j++) {
                v[j] = (float) (random.nextGaussian() * (1 + j) + j + offset);
            }
            rows.add(new VectorRow("/img/" + name + "/" + i + ".jpg", "Kiwi", v));
        }
        return rows;
    }

    private static double maxAbs(double[] values) {
        return Arrays.stream(values).map(Math::abs).max().orElse(0);
    }

    private void write(Location target, List<VectorRow> rows) throws IOException {
        try (VectorRowsWriter w = new VectorRowsWriter(store, target, OutputLayout.FEATURES, dir.resolve("tmp"))) {
            for (VectorRow row : rows) {
                w.write(row);
            }
            w.commit();
        }
    }

    private static PcaModel pcaModel() {
        int k = 2;
        double[][] components = new double[k][D];
        for (int c = 0; c < k; c++) {
            components[c][c] = 1;
        }
        return new PcaModel(20, new double[D], components, new double[] {2, 1}, new double[] {0.6, 0.4});
    }
}
