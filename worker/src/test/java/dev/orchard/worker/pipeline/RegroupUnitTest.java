package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.store.DamagedFileException;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.RetiredPaths;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.model.InferenceSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A REGROUP attempt keeps a base part's rows less the retired ones and, when the job has a PCA, stores the statistics
 * of exactly the kept rows; without a PCA it stores none (nothing would read them).
 */
class RegroupUnitTest {
    @TempDir
    Path dir;
    private final LocalObjectStore store = new LocalObjectStore();

    @Test
    void keepsTheRowsNotRetiredAndTheirStatisticsOnlyWithAPca() throws Exception {
        OutputLayout layout = OutputLayout.of(dir.resolve("out").toString());
        List<VectorRow> base = writeBasePart(layout);
        RetiredPaths.write(store, layout.retired(1, 0), List.of("/img/1.jpg", "/img/4.jpg"));
        List<VectorRow> kept = List.of(base.get(0), base.get(2), base.get(3), base.get(5));
        JobDescription job = job(layout);

        try (WorkerRuntime runtime = runtime()) {
            new RegroupUnit(runtime).run(job.withPca(true), WorkUnit.regroup(1, 0, 1), () -> false);
            new RegroupUnit(runtime).run(job.withPca(false), WorkUnit.regroup(1, 0, 2), () -> false);
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThat(VectorRowsReader.readAll(store, layout.regroupRows(1, 0, attempt), OutputLayout.FEATURES))
                    .extracting(VectorRow::path).containsExactlyElementsOf(kept.stream().map(VectorRow::path).toList());
        }
        assertThat(store.read(layout.regroupStatistics(1, 0, 1))).as("with a PCA")
                .isEqualTo(RowStatistics.add(null, kept).encode());
        assertThat(CovariancePartial.decode(store.read(layout.regroupStatistics(1, 0, 1))).count()).isEqualTo(4);
        assertThat(store.exists(layout.regroupStatistics(1, 0, 2))).as("without a PCA").isFalse();
    }

    /**
     * A base part that is not readable Parquet, or missing, or that does not hold the rows the inventory places in it
     * and the update drops, is a damaged file, named with what to do: the worker says so, and the coordinator ends the
     * job at once (each failed three attempts as a plain failure, and the job exited 1 saying --resume went on).
     */
    @Test
    void aBasePartDamagedMissingOrWithoutTheRetiredRowsIsADamagedFile() throws Exception {
        OutputLayout layout = OutputLayout.of(dir.resolve("out").toString());
        Location part = layout.part(OutputLayout.FEATURES, 0);
        RetiredPaths.write(store, layout.retired(1, 0), List.of("/img/1.jpg", "/img/elsewhere.jpg"));
        String kept = ". It holds rows of the generation this update keeps, damaged since they were written: restore"
                + " it from a copy, or make the output again from the input with --overwrite";

        try (WorkerRuntime runtime = runtime()) {
            writeBasePart(layout);
            assertThat(damagedFileOf(runtime, layout)).hasMessage(part + " (base part 0) holds 1 of the 2 rows that "
                    + layout.inventory(0) + " places in it and the update drops: the inventory or the part was damaged"
                    + " since it was written; restore them from a copy, or make the output again from the input with"
                    + " --overwrite");

            store.put(part, "not a Parquet file".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(damagedFileOf(runtime, layout).getMessage())
                    .startsWith(part + " (base part 0) cannot be read: not readable Parquet: ").endsWith(kept);

            store.delete(part);
            assertThat(damagedFileOf(runtime, layout))
                    .hasMessage(part + " (base part 0) cannot be read: it is missing" + kept);
        }
    }

    /**
     * The list of the paths an update drops from a part, which the coordinator writes and the regroup reads, damaged
     * since, or missing: named with what to do, as the job's other bookkeeping files are (it failed three attempts as
     * a plain failure, and the job exited 1 saying --resume went on).
     */
    @Test
    void aDamagedListOfRetiredPathsIsADamagedFile() throws Exception {
        OutputLayout layout = OutputLayout.of(dir.resolve("out").toString());
        Location retired = layout.retired(1, 0);
        try (WorkerRuntime runtime = runtime()) {
            writeBasePart(layout);
            store.put(retired, "\"/img/1.jpg\"\n\"/img/4.jp".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(damagedFileOf(runtime, layout).getMessage()).startsWith(retired + " is damaged (line 2: ")
                    .endsWith("make the output again from the input with --overwrite");
            store.put(retired, "\"/img/1.jpg\"\n42\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(damagedFileOf(runtime, layout).getMessage())
                    .startsWith(retired + " is damaged (line 2 holds VALUE_NUMBER_INT where a path in quotes belongs)");
            store.delete(retired);
            assertThat(damagedFileOf(runtime, layout).getMessage()).startsWith(retired + " is damaged (it is missing)");
        }
    }

    /** The damaged file a regroup of base part 0 fails on. */
    private static DamagedFileException damagedFileOf(WorkerRuntime runtime, OutputLayout layout) {
        Throwable failure = catchThrowable(() -> new RegroupUnit(runtime).run(job(layout).withPca(true),
                WorkUnit.regroup(1, 0, 1), () -> false));
        assertThat(DamagedFileException.in(failure)).as("%s", failure).isNotNull();
        return DamagedFileException.in(failure);
    }

    /** Six rows written as generation 0's part 0. */
    private List<VectorRow> writeBasePart(OutputLayout layout) throws Exception {
        List<VectorRow> base = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            base.add(new VectorRow("/img/" + i + ".jpg", "Kiwi", new float[] {i, 2f * i, 1 - i}));
        }
        try (VectorRowsWriter w = new VectorRowsWriter(store, layout.part(OutputLayout.FEATURES, 0), OutputLayout.FEATURES,
                dir.resolve("tmp"))) {
            for (VectorRow row : base) {
                w.write(row);
            }
            w.commit();
        }
        return base;
    }

    private static JobDescription job(OutputLayout layout) {
        return new JobDescription("job", layout.root().toString(), "/models/cnn.onnx", "a".repeat(64),
                ModelSpec.mobileNetV2(), 32).withGeneration(1);
    }

    private static WorkerRuntime runtime() throws java.io.IOException {
        return new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2), S3Settings.defaults());
    }
}
