package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.SharedFiles;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows a FEATURES unit hands its worker for the publish stage ({@link RowsCache}) are the rows its rows file
 * holds: the same paths, labels and floats, bit for bit, in the same order, a bad image's slot left out of both; a
 * job whose publish stage reads no rows (no PCA, no classifier) keeps none. The real model on six of the shared
 * sample's images and one file that is not an image.
 */
class FeatureUnitRowsTest {
    @TempDir
    Path dir;

    @Test
    void theRowsKeptForPublishingAreTheRowsOfTheFile() throws Exception {
        Path model = SharedFiles.float32Model();
        List<ImageRef> images = new ArrayList<>();
        try (Stream<Path> kiwis = Files.list(SharedFiles.fruits().resolve("Kiwi"))) {
            kiwis.sorted().limit(3).forEach(p -> images.add(new ImageRef(p.toString(), "Kiwi")));
        }
        Path broken = Files.writeString(dir.resolve("broken.jpg"), "not a JPEG");
        images.add(new ImageRef(broken.toString(), "Kiwi"));
        try (Stream<Path> lemons = Files.list(SharedFiles.fruits().resolve("Lemon"))) {
            lemons.sorted().limit(3).forEach(p -> images.add(new ImageRef(p.toString(), "Lemon")));
        }
        Path output = dir.resolve("out");
        int batch = 4;
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2),
                S3Settings.defaults())) {
            OnnxModel loaded = OnnxModel.load(Files.readAllBytes(model), model.toString(), ModelSpec.mobileNetV2(),
                    InferenceSettings.forCores(2));
            runtime.adopt(model.toString(), loaded, batch); // the runtime closes it
            JobDescription job = new JobDescription("job", output.toString(), model.toString(), loaded.sha256(),
                    ModelSpec.mobileNetV2(), batch).withPca(true);
            UnitOutcome outcome = new FeatureUnit(runtime).run(job, WorkUnit.features(1, 0, 1, images), () -> false);
            assertThat(outcome.report().errors()).extracting(dev.orchard.protocol.ImageError::path).containsExactly(broken.toString());

            Location file = OutputLayout.of(output.toString()).attemptRows(1, 0, 1);
            List<VectorRow> written = VectorRowsReader.readAll(new LocalObjectStore(), file, OutputLayout.FEATURES);
            List<VectorRow> kept = runtime.rowsCache().take(file);
            assertThat(written).hasSize(6);
            assertThat(outcome.statistics().dim()).isEqualTo(1280);
            assertThat(outcome.statistics().count()).isEqualTo(6);
            assertThat(kept).as("the rows kept for %s", file).isNotNull().hasSize(written.size());
            for (int i = 0; i < written.size(); i++) {
                VectorRow w = written.get(i);
                VectorRow k = kept.get(i);
                assertThat(k.path()).isEqualTo(w.path());
                assertThat(k.label()).isEqualTo(w.label());
                assertThat(k.values()).as("row %d's floats", i).hasSize(1280);
                for (int j = 0; j < w.values().length; j++) {
                    assertThat(Float.floatToRawIntBits(k.values()[j])).as("row %d, value %d", i, j)
                            .isEqualTo(Float.floatToRawIntBits(w.values()[j]));
                }
            }

            // Without a PCA or a classifier the publish stage copies the file's row groups and decodes no rows: none
            // are kept, and no covariance is folded (the statistics count the rows alone).
            UnitOutcome plain = new FeatureUnit(runtime).run(job.withPca(false), WorkUnit.features(1, 1, 2, images),
                    () -> false);
            Location plainFile = OutputLayout.of(output.toString()).attemptRows(1, 1, 2);
            assertThat(VectorRowsReader.readAll(new LocalObjectStore(), plainFile, OutputLayout.FEATURES)).hasSize(6);
            assertThat(runtime.rowsCache().take(plainFile)).as("rows kept for %s", plainFile).isNull();
            assertThat(runtime.rowsCache().floats()).isZero();
            assertThat(plain.statistics().dim()).isZero();
            assertThat(plain.statistics().count()).isEqualTo(6);

            // The job's decode limits decide which images are readable, whatever this worker's own settings (they were
            // each worker's options: a worker with --max-pixels 5000 put 150 fruit images in errors.csv that the other
            // made rows of, a user's walk). The 100×100 fruit are over a 5,000-pixel limit.
            UnitOutcome limited = new FeatureUnit(runtime).run(job.withDecode(new dev.orchard.protocol.DecodeLimits(5000,
                    512L << 20, true, dev.orchard.protocol.DecodeLimits.DEFAULT_MAX_OBJECT_BYTES)),
                    WorkUnit.features(1, 2, 3, images), () -> false);
            assertThat(limited.report().errors()).hasSize(7).filteredOn(e -> !e.path().equals(broken.toString()))
                    .allSatisfy(e -> assertThat(e.reason()).contains("over the 5000-pixel limit"));

            // So does the job's bound on a file's size (it was each worker's --max-object-bytes, a later walk): this
            // worker's own S3 settings are the defaults, and the fruit JPEGs are over 1,000 bytes.
            UnitOutcome small = new FeatureUnit(runtime).run(job.withDecode(new dev.orchard.protocol.DecodeLimits(
                    dev.orchard.protocol.DecodeLimits.DEFAULT_MAX_PIXELS, 512L << 20, true, 1000)),
                    WorkUnit.features(1, 3, 4, images), () -> false);
            assertThat(small.report().errors()).hasSize(7).filteredOn(e -> !e.path().equals(broken.toString()))
                    .allSatisfy(e -> assertThat(e.reason()).contains("more than --max-object-bytes (1000)"));
        }
    }
}
