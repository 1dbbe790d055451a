package dev.orchard.worker.pipeline;

import dev.orchard.protocol.UnitReport.StageNanos;
import java.util.concurrent.atomic.LongAdder;

/** Time spent per stage in one unit, added up from many threads. */
final class StageClock {
    final LongAdder read = new LongAdder();
    final LongAdder decode = new LongAdder();
    final LongAdder preprocess = new LongAdder();
    final LongAdder infer = new LongAdder();
    final LongAdder statistics = new LongAdder();
    final LongAdder write = new LongAdder();
    final LongAdder bytes = new LongAdder();

    StageNanos snapshot() {
        return new StageNanos(read.sum(), decode.sum(), preprocess.sum(), infer.sum(), statistics.sum(), write.sum());
    }
}
