package dev.orchard.cli;

import dev.orchard.store.parquet.VectorRow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

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
        return Outputs.rows(output, column);
    }
}
