package dev.orchard.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * An exit waits for the calls inside ONNX Runtime and lets no new one start. Each test uses its own instance: the
 * JVM's one is left alone, so the rest of the suite keeps running models.
 */
class OnnxRuntimeCallsTest {

    @Test
    void theExitWaitsForACallInsideAndStartsNoNewOne() throws Exception {
        OnnxRuntimeCalls calls = new OnnxRuntimeCalls();
        List<String> order = new CopyOnWriteArrayList<>();
        OnnxRuntimeCalls.Call inside = calls.begin();
        assertThat(inside).isNotNull();
        CountDownLatch exitBegan = new CountDownLatch(1);
        Thread exit = new Thread(() -> {
            exitBegan.countDown();
            boolean quiet = calls.awaitQuiet(Duration.ofMinutes(5));
            order.add("exit waited, quiet=" + quiet);
        });
        exit.start();
        exitBegan.await();
        for (OnnxRuntimeCalls.Call extra; (extra = calls.begin()) != null; ) { // until the exit has begun
            extra.close();
            Thread.onSpinWait();
        }
        assertThat(calls.begin()).as("no call starts once the exit began").isNull();
        order.add("call returned");
        inside.close();
        exit.join();
        assertThat(order).containsExactly("call returned", "exit waited, quiet=true");
        assertThat(calls.inside()).isZero();
    }

    @Test
    void theExitGivesUpAfterItsLimitWhenACallNeverReturns() {
        OnnxRuntimeCalls calls = new OnnxRuntimeCalls();
        calls.begin();
        assertThat(calls.awaitQuiet(Duration.ofMillis(20))).isFalse();
        assertThat(calls.inside()).isEqualTo(1);
    }

    @Test
    void nestedCallsAreCountedAndAnIdleExitReturnsAtOnce() {
        OnnxRuntimeCalls calls = new OnnxRuntimeCalls();
        try (OnnxRuntimeCalls.Call outer = calls.begin(); OnnxRuntimeCalls.Call inner = calls.begin()) {
            assertThat(calls.inside()).isEqualTo(2);
        }
        assertThat(calls.awaitQuiet(Duration.ZERO)).isTrue();
    }

    @Test
    void aCallClosedTwiceCountsOnce() {
        OnnxRuntimeCalls calls = new OnnxRuntimeCalls();
        OnnxRuntimeCalls.Call first = calls.begin();
        OnnxRuntimeCalls.Call second = calls.begin();
        first.close();
        first.close();
        assertThat(calls.inside()).as("the second call is still inside").isEqualTo(1);
        second.close();
        assertThat(calls.inside()).isZero();
    }

    @Test
    void theJvmsInstanceIsOneAndOpen() {
        assertThat(OnnxRuntimeCalls.jvm()).isSameAs(OnnxRuntimeCalls.jvm());
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enter()) {
            assertThat(OnnxRuntimeCalls.jvm().inside()).isPositive();
        }
    }
}
