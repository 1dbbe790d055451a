package dev.orchard.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.SharedFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that exits while a batch is in ONNX Runtime exits cleanly. Before {@code OnnxRuntimeCalls}, ONNX Runtime's
 * own shutdown hook freed its environment under the run and the JVM died of SIGSEGV in {@code libonnxruntime.so}:
 * this schedule (exit right as a 64-image run starts) crashed it every time. Now either the run is inside and the
 * exit waits for it, or the exit began first and the run is refused: both end with the exit's own status.
 */
class ExitDuringRunTest {

    @Test
    void exitingWhileABatchRunsEndsWithTheExitsStatus(@TempDir Path temp) throws Exception {
        // The class path goes in an argument file (ONNX Runtime 1.29 crashes loading in a process whose command line
        // is longer than about 4 KB; see CorpusJobTest).
        Path classPath = Files.writeString(temp.resolve("classpath.args"), "-cp \""
                + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + classPath, ExitDuringRun.class.getName(), SharedFiles.float32Model().toString());
        Path log = temp.resolve("child.log");
        Process child = new ProcessBuilder(command).directory(temp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean ended = child.waitFor(3, TimeUnit.MINUTES);
        String output = Files.readString(log);
        assertThat(ended).as(output).isTrue();
        assertThat(child.exitValue()).as(output).isEqualTo(ExitDuringRun.STATUS);
        assertThat(output).contains("exiting").doesNotContain("A fatal error has been detected");
    }

    /** The child: starts a 64-image run on another thread and exits the moment the run begins. */
    public static final class ExitDuringRun {
        static final int STATUS = 3;

        public static void main(String[] args) throws Exception {
            ModelSpec spec = ModelSpec.mobileNetV2();
            OnnxModel model = OnnxModel.load(Files.readAllBytes(Path.of(args[0])), args[0], spec,
                    InferenceSettings.forCores(1));
            int n = 64;
            FloatBuffer batch = ByteBuffer.allocateDirect(n * 3 * spec.inputHeight() * spec.inputWidth() * 4)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            CountDownLatch starting = new CountDownLatch(1);
            Thread run = new Thread(() -> {
                starting.countDown();
                try {
                    System.out.println("run ended: " + model.features(batch, n).length + " values");
                } catch (IllegalStateException refused) {
                    System.out.println("run refused: " + refused.getMessage());
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "run");
            run.setDaemon(true);
            run.start();
            starting.await();
            System.out.println("exiting");
            System.exit(STATUS);
        }
    }
}
