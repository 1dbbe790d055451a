package dev.orchard.cli;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Runs {@code orchard} in-process for tests and reads back what it wrote. */
record JobRun(int exitCode, String messages, Path output) {

    static JobRun of(Path output, String... args) {
        StringWriter text = new StringWriter();
        int code = Orchard.execute(new PrintWriter(text, true), args);
        return new JobRun(code, text.toString(), output);
    }

    static Path shared() {
        return Path.of(System.getProperty("orchard.shared", "../shared")).toAbsolutePath().normalize();
    }

    static String model() {
        return shared().resolve("models/mobilenetv2-12-float32-dequantized.onnx").toString();
    }

    List<VectorRow> rows(String column) throws Exception {
        List<VectorRow> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output.resolve(column))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
                rows.addAll(VectorRowsReader.readAll(new LocalObjectStore(), Location.local(part), column));
            }
        }
        return rows;
    }
}
