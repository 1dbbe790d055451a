package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe against a store that evaluates conditions and ones that ignore them; S3Proxy's in S3ObjectStoreTest. */
class ConditionProbeTest {
    @TempDir
    Path out;

    @Test
    void aLocalFolderEvaluatesWritesOnCondition() throws Exception {
        assertProbeFinds(new LocalObjectStore(), true);
    }

    @Test
    void aStoreThatIgnoresConditionsIsFoundOut() throws Exception {
        assertProbeFinds(ConditionsIgnored.around(new LocalObjectStore()), false);
    }

    /**
     * A store that refuses every write on a tag, even the tag it has just given (a server that compares tags in another
     * form): named, since a lease renewed by such writes is lost at its first renewal.
     */
    @Test
    void aStoreThatRefusesAWriteWhoseConditionHeldIsNamed() throws Exception {
        ObjectStore refusing = InterceptedStore.around(new LocalObjectStore(), (method, args, call) ->
                method.equals("putIf") && args[2] != null ? null : call.proceed());
        Location at = new OutputLayout(Location.local(out)).conditionsProbe("cafe");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConditionProbe.probe(refusing, at))
                .isInstanceOf(ConditionProbe.RefusedWhatHeld.class)
                .hasMessageContaining("on condition that the object was the one it had just written");
        assertThat(refusing.exists(at)).as("the probe's object is deleted").isFalse();
    }

    /** A probe whose write fails, on a store whose deletes fail too, fails with its own error, not the clean-up's. */
    @Test
    void aFailedProbeSaysWhyEvenWhenItsCleanUpFails() throws Exception {
        ObjectStore failing = InterceptedStore.around(new LocalObjectStore(), (method, args, call) -> switch (method) {
            case "putIf" -> throw new java.io.IOException("the write failed");
            case "delete", "deleteAll" -> throw new java.io.IOException("the delete failed");
            default -> call.proceed();
        });
        Location at = new OutputLayout(Location.local(out)).conditionsProbe("cafe");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConditionProbe.probe(failing, at))
                .hasMessage("the write failed")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("the delete failed"));
    }

    /** The probe finds what {@code store} does, and leaves no object behind. */
    private void assertProbeFinds(ObjectStore store, boolean evaluated) throws Exception {
        Location at = new OutputLayout(Location.local(out)).conditionsProbe("cafe");
        assertThat(ConditionProbe.probe(store, at)).isEqualTo(evaluated);
        assertThat(store.exists(at)).as("the probe's object is deleted").isFalse();
    }
}
