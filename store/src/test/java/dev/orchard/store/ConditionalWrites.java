package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

/** What {@link ObjectStore#putIf} and {@link ObjectStore#deleteIf} promise, checked the same way on each store. */
public final class ConditionalWrites {
    private ConditionalWrites() {
    }

    /**
     * Creates, replaces and deletes the object at {@code at} (none may be there), checking each conditional write and
     * delete. {@code deleteConditions}: whether the store evaluates a conditional delete's condition (S3 does; S3Proxy
     * 3.1.0 ignores the header and deletes, as a plain delete does: there only the deletes that should happen are
     * checked).
     */
    public static void checkOn(ObjectStore store, Location at, boolean deleteConditions) throws Exception {
        assertThat(store.readTagged(at)).isNull();
        String first = store.putIf(at, utf8("a"), null);
        assertThat(first).isNotNull();
        assertThat(store.putIf(at, utf8("b"), null)).as("there is one already").isNull();
        ObjectStore.Tagged read = store.readTagged(at);
        assertThat(read.bytes()).isEqualTo(utf8("a"));
        assertThat(read.tag()).isEqualTo(first);
        String second = store.putIf(at, utf8("c"), first);
        assertThat(second).isNotNull().isNotEqualTo(first);
        assertThat(store.putIf(at, utf8("d"), first)).as("replaced since").isNull();
        assertThat(store.read(at)).isEqualTo(utf8("c"));
        assertThat(store.putIf(at, utf8("c"), first)).as("its own bytes: a write that landed").isEqualTo(second);
        if (deleteConditions) {
            assertThat(store.deleteIf(at, first)).as("replaced since: not deleted").isFalse();
            assertThat(store.read(at)).isEqualTo(utf8("c"));
        }
        assertThat(store.deleteIf(at, second)).isTrue();
        assertThat(store.exists(at)).isFalse();
        assertThat(store.deleteIf(at, second)).as("gone already: a delete that landed").isTrue();
        assertThat(store.putIf(at, utf8("e"), second)).as("gone").isNull();
        assertThat(store.exists(at)).isFalse();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
