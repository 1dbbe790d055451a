package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe against a store that evaluates conditions and one that ignores them; S3Proxy's in S3ObjectStoreTest. */
class ConditionProbeTest {
    @TempDir
    Path out;

    @Test
    void aLocalFolderEvaluatesWritesAndDeletesOnCondition() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        Location at = new OutputLayout(Location.local(out)).conditionsProbe("cafe");
        assertThat(ConditionProbe.probe(store, at)).isEqualTo(new ConditionProbe.Support(true, true));
        assertThat(store.exists(at)).as("the probe's object is deleted").isFalse();
    }

    @Test
    void aStoreThatIgnoresADeletesConditionIsFoundOut() throws Exception {
        ObjectStore store = ConditionsIgnored.onDeletes(new LocalObjectStore());
        Location at = new OutputLayout(Location.local(out)).conditionsProbe("cafe");
        assertThat(ConditionProbe.probe(store, at)).isEqualTo(new ConditionProbe.Support(true, false));
        assertThat(store.exists(at)).isFalse();
    }

    @Test
    void aStoreThatIgnoresConditionsIsFoundOut() throws Exception {
        ObjectStore store = ConditionsIgnored.around(new LocalObjectStore());
        Location at = new OutputLayout(Location.local(out)).conditionsProbe("cafe");
        assertThat(ConditionProbe.probe(store, at)).isEqualTo(new ConditionProbe.Support(false, false));
        assertThat(store.exists(at)).isFalse();
    }
}
