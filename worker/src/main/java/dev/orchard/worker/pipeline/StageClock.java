package dev.orchard.worker.pipeline;

import dev.orchard.protocol.UnitReport.StageNanos;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent per stage in one unit, added up from many threads; each addition also goes to the JVM's
 * {@link PipelineTotals}, so {@code /metrics} moves while the unit runs.
 */
final class StageClock {
    final Counter read;
    final Counter decode;
    final Counter preprocess;
    final Counter infer;
    final Counter statistics;
    final Counter write;
    final Counter bytes;

    StageClock(PipelineTotals totals) {
        read = new Counter(totals.readNanos);
        decode = new Counter(totals.decodeNanos);
        preprocess = new Counter(totals.preprocessNanos);
        infer = new Counter(totals.inferNanos);
        statistics = new Counter(totals.statisticsNanos);
        write = new Counter(totals.writeNanos);
        bytes = new Counter(totals.bytesRead);
    }

    StageNanos snapshot() {
        return new StageNanos(read.sum(), decode.sum(), preprocess.sum(), infer.sum(), statistics.sum(), write.sum());
    }

    /** One unit's count of something, also added to the JVM's total. */
    static final class Counter {
        private final LongAdder unit = new LongAdder();
        private final LongAdder total;

        Counter(LongAdder total) {
            this.total = total;
        }

        void add(long n) {
            unit.add(n);
            total.add(n);
        }

        long sum() {
            return unit.sum();
        }
    }
}
