package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RowsCache: bounded by the floats held, oldest attempts dropped first, rows taken once. */
class RowsCacheTest {

    @Test
    void keepsTheLatestAttemptsWithinItsCapacityAndGivesEachOnce() {
        RowsCache cache = new RowsCache(4L * 100); // 100 floats
        cache.put(file(1), rows(3, 10)); // 30 floats
        cache.put(file(2), rows(4, 10)); // 40
        cache.put(file(3), rows(2, 10)); // 20: 90 in all
        assertThat(cache.floats()).isEqualTo(90);
        cache.put(file(4), rows(3, 10)); // 30 more: the oldest (1) goes
        assertThat(cache.floats()).isEqualTo(90);
        assertThat(cache.take(file(1))).isNull();
        assertThat(cache.take(file(2))).hasSize(4);
        assertThat(cache.take(file(2))).as("taken once").isNull();
        assertThat(cache.floats()).isEqualTo(50);

        cache.put(file(5), rows(11, 10)); // more than the whole capacity: not kept, nothing dropped for it
        assertThat(cache.take(file(5))).isNull();
        assertThat(cache.floats()).isEqualTo(50);
        cache.put(file(4), rows(11, 10)); // too large for the cache: the file's earlier rows are not kept either
        assertThat(cache.take(file(4))).isNull();
        assertThat(cache.floats()).isEqualTo(20);
        cache.put(file(4), rows(3, 10));

        cache.put(file(3), rows(1, 10)); // an attempt's rows written again replace the old ones
        assertThat(cache.floats()).isEqualTo(40);
        assertThat(cache.take(file(3))).hasSize(1);
        assertThat(cache.take(file(4))).hasSize(3);
        assertThat(cache.floats()).isZero();
    }

    @Test
    void clearingDropsEverything() {
        RowsCache cache = new RowsCache(4L * 100);
        cache.put(file(1), rows(3, 10));
        cache.put(file(2), rows(3, 10));
        cache.clear();
        assertThat(cache.floats()).isZero();
        assertThat(cache.take(file(1))).isNull();
        cache.put(file(3), rows(10, 10)); // the whole capacity is free again
        assertThat(cache.take(file(3))).hasSize(10);
    }

    @Test
    void aCacheOfNoCapacityKeepsNothing() {
        RowsCache cache = new RowsCache(0);
        cache.put(file(1), rows(1, 1));
        assertThat(cache.take(file(1))).isNull();
    }

    private static Location file(int unit) {
        return Location.parse("/out/_orchard/attempts/rows-" + unit + ".parquet");
    }

    private static List<VectorRow> rows(int n, int dim) {
        List<VectorRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new VectorRow("/img/" + i + ".jpg", null, new float[dim]));
        }
        return rows;
    }
}
