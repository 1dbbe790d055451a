package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reading a job's output folder back, and the checks every cluster test makes. */
final class Outputs {

    private Outputs() {
    }

    static List<VectorRow> rows(Path output, String column) throws Exception {
        List<VectorRow> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output.resolve(column))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
                rows.addAll(VectorRowsReader.readAll(new LocalObjectStore(), Location.local(part), column));
            }
        }
        return rows;
    }

    static PcaModel pca(Path output) throws Exception {
        return PcaModelJson.read(Files.readAllBytes(output.resolve("pca-model.json")));
    }

    /** Every input image exactly once, with the same label and features as the reference run, and the same PCA. */
    static void assertSameJob(Path actual, Path reference, Set<String> inputs) throws Exception {
        List<VectorRow> rows = rows(actual, "features");
        List<String> paths = rows.stream().map(VectorRow::path).toList();
        assertThat(paths).doesNotHaveDuplicates();
        assertThat(Set.copyOf(paths)).isEqualTo(inputs);
        Map<String, VectorRow> expected = rows(reference, "features").stream()
                .collect(Collectors.toMap(VectorRow::path, r -> r, (a, b) -> a, TreeMap::new));
        for (VectorRow row : rows) {
            VectorRow want = expected.get(row.path());
            assertThat(row.label()).isEqualTo(want.label());
            for (int i = 0; i < row.values().length; i++) {
                assertThat((double) Math.abs(row.values()[i] - want.values()[i])).isLessThanOrEqualTo(1e-5);
            }
        }
        assertThat(rows(actual, "pca").stream().map(VectorRow::path).collect(Collectors.toSet())).isEqualTo(inputs);
        PcaModel a = pca(actual);
        PcaModel b = pca(reference);
        assertThat(a.count()).isEqualTo(b.count());
        for (int c = 0; c < a.k(); c++) {
            assertThat(Math.abs(a.eigenvalues()[c] - b.eigenvalues()[c]) / b.eigenvalues()[c]).as("eigenvalue %d", c)
                    .isLessThanOrEqualTo(1e-9);
        }
        assertThat(actual.resolve("_SUCCESS")).exists();
    }

    /** The job's _SUCCESS report. */
    static com.fasterxml.jackson.databind.JsonNode success(Path output) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(output.resolve("_SUCCESS").toFile());
    }

    /** The image files below {@code dir}, as the job writes their paths. */
    static Set<String> images(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".jpg"))
                    .map(p -> p.toAbsolutePath().normalize().toString()).collect(Collectors.toSet());
        }
    }
}
