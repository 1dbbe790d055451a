package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

/** What {@link ObjectStore#putIf} promises, checked the same way on each store. */
public final class ConditionalWrites {
    private ConditionalWrites() {
    }

    /** Creates, replaces and deletes the object at {@code at} (none may be there), checking each conditional write. */
    public static void checkOn(ObjectStore store, Location at) throws Exception {
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
        store.delete(at);
        assertThat(store.exists(at)).isFalse();
        assertThat(store.putIf(at, utf8("e"), second)).as("gone").isNull();
        assertThat(store.exists(at)).isFalse();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
